/**
 * Verified user tokens are remembered (server/auth/verified-tokens.ts): a token verified once
 * skips the signature check until its key leaves the key set or it expires; refused tokens are
 * never remembered; the memory is bounded.
 */
import { createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { type KeySet, type SigningKey, createKeySet, generateSigningKey } from '../../server/auth/keys';
import { VerifiedTokens } from '../../server/auth/verified-tokens';
import { START, USER_TTL, harness, refusal } from '../helpers/token-harness';

describe('verified user tokens are remembered (server/auth/verified-tokens.ts)', () => {
  /** A key set whose keys can be dropped, counting the lookups that come before a signature check. */
  function droppable(key: SigningKey) {
    const inner = createKeySet(key);
    const state = { dropped: false, resolves: 0 };
    const keys: KeySet = {
      current: key,
      jwks: () => inner.jwks(),
      verificationKey: (kid) => (state.dropped ? undefined : inner.verificationKey(kid)),
      resolve: async (kid) => {
        state.resolves += 1;
        return state.dropped ? undefined : inner.verificationKey(kid);
      },
    };
    return { keys, state };
  }

  it('a token that verified is accepted again without another signature check', async () => {
    const key = generateSigningKey().key;
    const { keys, state } = droppable(key);
    const h = harness(key, keys);
    const { token, expiresAt } = h.service.signUserToken('user-7');
    const first = await h.service.verifyUserToken(token);
    expect(first).toEqual({ sub: 'user-7', jti: jwt.decode(token, { json: true })?.jti, expiresAt });
    // The remembered answer carries the jti and expiry too (a logout needs both).
    await expect(h.service.verifyUserToken(token)).resolves.toEqual(first);
    await expect(h.service.verifyUserToken(token)).resolves.toEqual(first);
    expect(state.resolves).toBe(1);
  });

  it('is refused at once when the key that verified it leaves the key set', async () => {
    const key = generateSigningKey().key;
    const { keys, state } = droppable(key);
    const h = harness(key, keys);
    const { token } = h.service.signUserToken('user-7');
    await expect(h.service.verifyUserToken(token)).resolves.toMatchObject({ sub: 'user-7' });
    state.dropped = true;
    await refusal(h.service, token);
  });

  it('is refused from exp on, remembered or not', async () => {
    const h = harness();
    const { token } = h.service.signUserToken('user-7');
    await expect(h.service.verifyUserToken(token)).resolves.toMatchObject({ sub: 'user-7' });
    h.clock.t += USER_TTL * 1000;
    await refusal(h.service, token);
  });

  it('a refused token is not remembered: every attempt is checked again', async () => {
    const key = generateSigningKey().key;
    const { keys, state } = droppable(key);
    const h = harness(key, keys);
    const [head, payload] = h.service.signUserToken('user-7').token.split('.');
    const forged = `${head}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
    await refusal(h.service, forged);
    await refusal(h.service, forged);
    expect(state.resolves).toBe(2);
  });

  it('holds at most its bound, forgetting the oldest first', () => {
    const memory = new VerifiedTokens(2);
    const entryKey = { publicKey: createPublicKey(generateSigningKey().pem), alg: 'ES256' as const };
    const current = () => entryKey;
    for (const token of ['a', 'b', 'c']) {
      memory.remember(token, { sub: token, jti: `jti-${token}`, kid: 'k', key: entryKey, expiresAt: START + 1000 });
    }
    expect(memory.size).toBe(2);
    expect(memory.get('a', START, current)).toBeUndefined();
    expect(memory.get('b', START, current)).toEqual({ sub: 'b', jti: 'jti-b', expiresAt: START + 1000 });
    expect(memory.get('c', START, current)).toEqual({ sub: 'c', jti: 'jti-c', expiresAt: START + 1000 });
  });
});
