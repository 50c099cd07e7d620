/**
 * The Back-Channel Logout 1.0 §2.6 claim checks (shared/logout-token.ts) that the Node package
 * and the demo website share: a logout token passes; no `events` (an ID token), an `events`
 * without the back-channel member or with a non-object one, a `nonce`, neither `sid` nor
 * `sub`, no `iat`, no `jti`, or a header `typ` other than `logout+jwt` is refused, naming the
 * rule and never a claim's value.
 */
import { BACKCHANNEL_LOGOUT_EVENT, checkLogoutToken } from '../../shared/logout-token';

const VALID = {
  iss: 'https://login.example',
  aud: 'demo',
  iat: 1_700_000_000,
  exp: 1_700_000_120,
  jti: 'jti-1',
  sid: 'session-id-secretish',
  sub: 'user-1',
  events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
};

const without = (name: keyof typeof VALID) => Object.fromEntries(Object.entries(VALID).filter(([key]) => key !== name));

test('a logout token passes, with its claims', () => {
  expect(checkLogoutToken(VALID, { alg: 'ES256', typ: 'logout+jwt' })).toEqual({ ok: true, claims: VALID });
  // typ absent, or with the media type prefix and another case (RFC 8725 §3.11), and no header at all.
  expect(checkLogoutToken(VALID, { alg: 'ES256' }).ok).toBe(true);
  expect(checkLogoutToken(VALID, { alg: 'ES256', typ: 'application/Logout+JWT' }).ok).toBe(true);
  expect(checkLogoutToken(VALID).ok).toBe(true);
  // sid alone, or sub alone.
  expect(checkLogoutToken(without('sub')).ok).toBe(true);
  expect(checkLogoutToken(without('sid')).ok).toBe(true);
});

test.each([
  ['no events (an ID token)', without('events'), /no events claim/],
  ['events without the back-channel member', { ...VALID, events: { 'http://example.com/other': {} } }, /no events claim/],
  ['events as a string', { ...VALID, events: BACKCHANNEL_LOGOUT_EVENT }, /no events claim/],
  ['the member as a string', { ...VALID, events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } }, /not a JSON object/],
  ['the member as an array', { ...VALID, events: { [BACKCHANNEL_LOGOUT_EVENT]: [] } }, /not a JSON object/],
  ['a nonce', { ...VALID, nonce: 'n-0S6_WzA2Mj' }, /nonce/],
  ['an empty nonce', { ...VALID, nonce: '' }, /nonce/],
  [
    'neither sid nor sub',
    Object.fromEntries(Object.entries(VALID).filter(([key]) => key !== 'sid' && key !== 'sub')),
    /neither sid nor sub/,
  ],
  ['a sid that is not a string', { ...VALID, sid: 42 }, /sid is not a string/],
  ['an empty sub', { ...VALID, sub: '' }, /sub is not a string/],
  ['no iat', without('iat'), /no iat/],
  ['an iat that is text', { ...VALID, iat: '1700000000' }, /no iat/],
  ['no jti', without('jti'), /no jti/],
] as const)('refused: %s', (_name, payload, problem) => {
  const check = checkLogoutToken(payload, { alg: 'ES256', typ: 'logout+jwt' });
  expect(check).toEqual({ ok: false, problem: expect.stringMatching(problem) });
  if (!check.ok) {
    expect(check.problem).not.toContain('session-id-secretish');
    expect(check.problem).not.toContain('n-0S6_WzA2Mj');
  }
});

test.each([['JWT'], ['qrlogin-user+jwt'], ['at+jwt'], [7]])('refused: a header typ of %p', (typ) => {
  expect(checkLogoutToken(VALID, { alg: 'ES256', typ })).toEqual({ ok: false, problem: 'the header typ is not logout+jwt' });
});

test.each([[null], ['text'], [[VALID]], [undefined]])('refused: a payload of %p', (payload) => {
  expect(checkLogoutToken(payload)).toEqual({ ok: false, problem: 'the payload is not a JSON object' });
});
