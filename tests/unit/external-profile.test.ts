/**
 * The company's user from the standard claims (server/auth/external/profile.ts): which claim
 * fills which field, what is dropped, what is cut.
 */
import { MAX_CLAIM_LENGTH, profileOf, subjectOf } from '../../server/auth/external/profile';

describe('profileOf', () => {
  it('maps the standard claims; id is the sub unchanged', () => {
    expect(
      profileOf({
        sub: 'auth0|Alice 1001',
        preferred_username: 'alice',
        name: 'Alice Example',
        nickname: 'ally',
        picture: 'https://cdn.shop.test/alice.png',
        email: 'alice@shop.test',
        phone_number: '+15550100',
        iss: 'https://idp.shop.test',
      }),
    ).toEqual({
      id: 'auth0|Alice 1001',
      username: 'alice',
      nickname: 'Alice Example',
      photo: 'https://cdn.shop.test/alice.png',
      email: 'alice@shop.test',
      phone: '+15550100',
    });
  });

  it('falls back: username from email, then sub; nickname from nickname, then the username', () => {
    expect(profileOf({ sub: 's1', email: 'bob@shop.test', nickname: 'bobby' })).toEqual({
      id: 's1',
      username: 'bob@shop.test',
      nickname: 'bobby',
      photo: null,
      email: 'bob@shop.test',
      phone: null,
    });
    expect(profileOf({ sub: 's2' })).toEqual({ id: 's2', username: 's2', nickname: 's2', photo: null, email: null, phone: null });
    expect(profileOf({ sub: 's3', preferred_username: 'carol' })).toMatchObject({ username: 'carol', nickname: 'carol' });
  });

  it('drops claims that are not strings, and blank names', () => {
    expect(
      profileOf({ sub: 's', preferred_username: 42, name: ['x'], email: { a: 1 }, phone_number: 5550100, picture: null, nickname: '   ' }),
    ).toEqual({ id: 's', username: 's', nickname: 's', photo: null, email: null, phone: null });
  });

  it.each(['javascript:alert(1)', 'data:image/png;base64,AAAA', '//cdn.shop.test/a.png', 'not a url', 'ftp://cdn.shop.test/a.png'])(
    'a picture %p is not passed on',
    (picture) => {
      expect(profileOf({ sub: 's', picture })?.photo).toBeNull();
    },
  );

  it('takes http and https pictures up to 2048 characters', () => {
    expect(profileOf({ sub: 's', picture: 'http://cdn.shop.test/a.png' })?.photo).toBe('http://cdn.shop.test/a.png');
    const long = `https://cdn.shop.test/${'a'.repeat(2048)}`;
    expect(profileOf({ sub: 's', picture: long })?.photo).toBeNull();
  });

  it(`cuts names to ${MAX_CLAIM_LENGTH} characters without splitting a character; drops a longer email or phone`, () => {
    const emoji = '😀'.repeat(MAX_CLAIM_LENGTH + 10);
    const user = profileOf({
      sub: 's',
      name: emoji,
      preferred_username: 'u'.repeat(1000),
      email: `${'e'.repeat(300)}@x.test`,
      phone_number: '1'.repeat(300),
    });
    expect(Array.from(user?.nickname ?? '')).toHaveLength(MAX_CLAIM_LENGTH);
    expect(user?.nickname).toBe('😀'.repeat(MAX_CLAIM_LENGTH));
    expect(user?.username).toBe('u'.repeat(MAX_CLAIM_LENGTH));
    expect(user?.email).toBeNull();
    expect(user?.phone).toBeNull();
  });

  it.each([[undefined], [''], [42], [['s']], ['x'.repeat(256)]])('refuses a sub of %p', (sub) => {
    expect(profileOf({ sub, name: 'Someone' })).toBeNull();
    expect(subjectOf({ sub })).toBeNull();
  });

  it('takes a sub of 255 characters', () => {
    expect(profileOf({ sub: 'x'.repeat(255) })?.id).toBe('x'.repeat(255));
  });
});
