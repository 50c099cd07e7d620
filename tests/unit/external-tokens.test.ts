/**
 * The small pieces of server/auth/external: which tokens look like JWTs of which issuer, the
 * client credentials of RFC 6749 §2.3.1, the discovery URL, the bounded answer cache, and the
 * Retry-After of an unavailable provider.
 */
import { AnswerCache } from '../../server/auth/external/answer-cache';
import { unverifiedIssuer } from '../../server/auth/external';
import { basicAuthorization, formEncode } from '../../server/auth/external/introspection';
import { discoveryUrl } from '../../server/auth/external/key-source';
import { RETRY_AFTER_SECONDS, unavailable } from '../../server/auth/external/outcome';
import { movableClock } from '../helpers/time';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('unverifiedIssuer', () => {
  it('reads the iss of a JWS-shaped token, nothing verified', () => {
    expect(unverifiedIssuer(`${part({ alg: 'RS256' })}.${part({ iss: 'https://idp.test' })}.c2ln`)).toBe('https://idp.test');
    expect(unverifiedIssuer(`${part({ alg: 'none' })}.${part({ iss: 'https://idp.test' })}.`)).toBe('https://idp.test');
  });

  it('is null for a JWT without a string iss', () => {
    expect(unverifiedIssuer(`${part({ alg: 'RS256' })}.${part({ sub: 'x' })}.c2ln`)).toBeNull();
    expect(unverifiedIssuer(`${part({ alg: 'RS256' })}.${part({ iss: 7 })}.c2ln`)).toBeNull();
    expect(unverifiedIssuer(`${part({ alg: 'RS256' })}.bm90IGpzb24.c2ln`)).toBeNull();
  });

  it.each([
    ['an opaque token', 'ZCnEnlwZ6_VFAbBVn5ZDlCOpT38zcS2SdvUzFcdlxgZ'],
    ['two parts', `${part({ alg: 'RS256' })}.${part({ iss: 'x' })}`],
    ['a JWE (five parts)', 'a.b.c.d.e'],
    ['a header without alg', `${part({ typ: 'JWT' })}.${part({ iss: 'x' })}.c2ln`],
    ['a header that is not JSON', `bm90IGpzb24.${part({ iss: 'x' })}.c2ln`],
    ['characters outside base64url', `${part({ alg: 'RS256' })}.${part({ iss: 'x' })}.c2l+`],
  ])('is undefined for %s', (_name, token) => {
    expect(unverifiedIssuer(token)).toBeUndefined();
  });
});

describe('introspection client credentials', () => {
  it('form-encodes the id and secret before HTTP Basic (RFC 6749 §2.3.1)', () => {
    expect(formEncode('a b+c:d/%é')).toBe('a+b%2Bc%3Ad%2F%25%C3%A9');
    const header = basicAuthorization('my client', 'se:cret');
    expect(Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8')).toBe('my+client:se%3Acret');
  });
});

describe('discoveryUrl', () => {
  it('appends the well-known path once, with or without a trailing slash', () => {
    expect(discoveryUrl('https://idp.test')).toBe('https://idp.test/.well-known/openid-configuration');
    expect(discoveryUrl('https://idp.test/')).toBe('https://idp.test/.well-known/openid-configuration');
    expect(discoveryUrl('https://idp.test/realms/shop')).toBe('https://idp.test/realms/shop/.well-known/openid-configuration');
  });
});

describe('AnswerCache', () => {
  it('forgets an answer at its deadline', () => {
    const clock = movableClock(1_000);
    const cache = new AnswerCache<string>(clock.now);
    cache.set('a', 'yes', 2_000);
    expect(cache.get('a')).toBe('yes');
    clock.advance(999);
    expect(cache.get('a')).toBe('yes');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 'past', 2_000);
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries, forgetting the oldest first', () => {
    const clock = movableClock(0);
    const cache = new AnswerCache<number>(clock.now, 3);
    for (let i = 0; i < 5; i += 1) cache.set(`k${i}`, i, 10_000);
    expect(cache.size).toBe(3);
    expect([cache.get('k0'), cache.get('k1'), cache.get('k2'), cache.get('k4')]).toEqual([undefined, undefined, 2, 4]);
  });
});

describe('unavailable', () => {
  it('says to retry after whole seconds, at least 1, rounding up; 5 unless told', () => {
    expect([unavailable().retryAfter, unavailable(undefined, 17.5).retryAfter, unavailable(undefined, 0.2).retryAfter]).toEqual([
      RETRY_AFTER_SECONDS,
      18,
      1,
    ]);
    expect([unavailable(undefined, 0).retryAfter, unavailable(undefined, -3).retryAfter]).toEqual([1, 1]);
    expect(unavailable().code).toBe(503);
  });
});
