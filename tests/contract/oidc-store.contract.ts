/**
 * The OpenID Connect store's contract (`OidcStore`, server/backend/stores.ts), one suite for
 * every backend: tests/unit/memory-oidc-store.test.ts, tests/integration/embedded-oidc-store.test.ts
 * and tests/integration/redis-oidc-store.test.ts call `oidcStoreContract(name, factory)`.
 * Time moves through `clock.advance` (a fake clock, or a real sleep for Redis): lifetimes of 1 s
 * with wide margins, never more than 1500 ms of waiting in one case. What only some backends
 * have is asked of them through the factory: `sibling` (another instance on the same state,
 * at the same time) and `reopen` (the same state after closing: durability).
 */
import type { OidcPayload, OidcStore } from '../../server/backend/stores';
import { type ContractClock, unique } from './store-fixtures';

export interface OidcStoreUnderTest {
  oidc: OidcStore;
  clock: ContractClock;
  /** Another instance on the same state, open at the same time (several-instance backends). */
  sibling?(): Promise<OidcStore>;
  /** Closes the store and opens it again on the same state (durable backends). */
  reopen?(): Promise<OidcStore>;
  cleanup(): Promise<void>;
}

export type OidcStoreFactory = () => Promise<OidcStoreUnderTest>;

/** A payload as oidc-provider writes one: nested objects, arrays (empty too), unicode. */
const payloadOf = (extra: OidcPayload = {}): OidcPayload => ({
  jti: `jti-${unique()}`,
  kind: 'AuthorizationCode',
  accountId: 'user-1',
  scope: 'openid profile',
  claims: { id_token: { auth_time: { essential: true } }, userinfo: {} },
  amr: ['qr'],
  resources: [],
  nickname: 'Alice 爱丽丝',
  iat: 1_900_000_000,
  exp: 1_900_000_060,
  ...extra,
});

/** What a backend offers beyond one process's memory; the matching cases run only then. */
export interface OidcStoreCapabilities {
  /** Several instances share the state (`sibling()`). */
  shared?: boolean;
  /** The state survives closing (`reopen()`). */
  durable?: boolean;
}

export function oidcStoreContract(name: string, factory: OidcStoreFactory, capabilities: OidcStoreCapabilities = {}): void {
  describe(`OIDC store contract: ${name}`, () => {
    let sut: OidcStoreUnderTest;
    let oidc: OidcStore;
    beforeEach(async () => {
      sut = await factory();
      oidc = sut.oidc;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    it('find returns what upsert wrote, as a copy; unknown ids and other models are undefined', async () => {
      const id = unique();
      const payload = payloadOf();
      await oidc.upsert('AuthorizationCode', id, payload, 60);
      const found = await oidc.find('AuthorizationCode', id);
      expect(found).toStrictEqual(payload);
      if (found) found.accountId = 'mallory';
      expect(await oidc.find('AuthorizationCode', id)).toStrictEqual(payload);
      expect(await oidc.find('AuthorizationCode', unique())).toBeUndefined();
      expect(await oidc.find('AccessToken', id)).toBeUndefined();
    });

    it('upsert replaces the entry; an entry written without a lifetime stays', async () => {
      const id = unique();
      await oidc.upsert('Client', id, { client_id: id, redirect_uris: ['https://a.example/cb'] });
      await oidc.upsert('Client', id, { client_id: id, redirect_uris: ['https://b.example/cb'] });
      expect(await oidc.find('Client', id)).toStrictEqual({ client_id: id, redirect_uris: ['https://b.example/cb'] });
    });

    it('findByUid finds the Session by its uid, findByUserCode the DeviceCode by its user code', async () => {
      const [sessionId, uid, codeId, userCode] = [unique(), unique(), unique(), `UC-${unique()}`];
      const session = { uid, accountId: 'user-1', authorizations: { app: { sid: 'sid-1', grantId: 'g' } } };
      await oidc.upsert('Session', sessionId, session, 60);
      const deviceCode = payloadOf({ userCode });
      await oidc.upsert('DeviceCode', codeId, deviceCode, 60);
      expect(await oidc.findByUid('Session', uid)).toStrictEqual(session);
      expect(await oidc.findByUserCode('DeviceCode', userCode)).toStrictEqual(deviceCode);
      expect(await oidc.findByUid('Interaction', uid)).toBeUndefined();
      expect(await oidc.findByUid('Session', unique())).toBeUndefined();
      expect(await oidc.findByUserCode('DeviceCode', unique())).toBeUndefined();
    });

    it('a session written again under a new uid is found by the new uid only; destroyed, by none', async () => {
      const [id, before, after] = [unique(), unique(), unique()];
      await oidc.upsert('Session', id, { uid: before }, 60);
      await oidc.upsert('Session', id, { uid: after }, 60);
      expect(await oidc.findByUid('Session', before)).toBeUndefined();
      expect(await oidc.findByUid('Session', after)).toStrictEqual({ uid: after });
      await oidc.destroy('Session', id);
      expect(await oidc.findByUid('Session', after)).toBeUndefined();
    });

    it('consume marks the entry consumed (epoch seconds), seen by find; a second consume changes nothing', async () => {
      const id = unique();
      await oidc.upsert('AuthorizationCode', id, payloadOf(), 60);
      const before = Math.floor(sut.clock.now() / 1000);
      expect(await oidc.consume('AuthorizationCode', id)).toBe(true);
      const consumed = (await oidc.find('AuthorizationCode', id))?.consumed;
      expect(typeof consumed).toBe('number');
      expect(consumed).toBeGreaterThanOrEqual(before);
      expect(consumed).toBeLessThanOrEqual(Math.floor(sut.clock.now() / 1000) + 1);
      expect(await oidc.consume('AuthorizationCode', id)).toBe(false);
      expect((await oidc.find('AuthorizationCode', id))?.consumed).toBe(consumed);
      const unknown = unique();
      expect(await oidc.consume('AuthorizationCode', unknown)).toBe(false);
      expect(await oidc.find('AuthorizationCode', unknown)).toBeUndefined();
    });

    it('an entry written already consumed cannot be consumed again', async () => {
      const id = unique();
      await oidc.upsert('AuthorizationCode', id, payloadOf({ consumed: 1_900_000_001 }), 60);
      expect(await oidc.consume('AuthorizationCode', id)).toBe(false);
      expect((await oidc.find('AuthorizationCode', id))?.consumed).toBe(1_900_000_001);
    });

    it('of 20 concurrent consumes of one code, exactly one consumes it', async () => {
      const id = unique();
      await oidc.upsert('AuthorizationCode', id, payloadOf(), 60);
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => oidc.consume('AuthorizationCode', id)));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
    });

    it('destroy removes the entry and its indexes; destroying again is harmless', async () => {
      const [id, userCode] = [unique(), unique()];
      await oidc.upsert('DeviceCode', id, payloadOf({ userCode }), 60);
      await oidc.destroy('DeviceCode', id);
      expect(await oidc.find('DeviceCode', id)).toBeUndefined();
      expect(await oidc.findByUserCode('DeviceCode', userCode)).toBeUndefined();
      await expect(oidc.destroy('DeviceCode', id)).resolves.toBeUndefined();
    });

    it('revokeByGrantId removes every entry of that grant and nothing else', async () => {
      const [grantId, other] = [`grant-${unique()}`, `grant-${unique()}`];
      const userCode = unique();
      const members: [string, string, OidcPayload][] = [
        ['AuthorizationCode', unique(), payloadOf({ grantId })],
        ['AccessToken', unique(), payloadOf({ grantId })],
        ['RefreshToken', unique(), payloadOf({ grantId })],
        ['DeviceCode', unique(), payloadOf({ grantId, userCode })],
      ];
      const kept: [string, string, OidcPayload][] = [
        ['AccessToken', unique(), payloadOf({ grantId: other })],
        ['Grant', grantId, { jti: grantId, accountId: 'user-1', clientId: 'app' }],
        ['Interaction', unique(), { uid: unique(), grantId }],
        ['Session', unique(), { uid: unique() }],
      ];
      for (const [model, id, payload] of [...members, ...kept]) await oidc.upsert(model, id, payload, 60);
      // A member destroyed on its own before the revocation: no harm.
      await oidc.destroy('AccessToken', members[1]?.[1] ?? '');

      await oidc.revokeByGrantId(grantId);
      for (const [model, id] of members) expect(await oidc.find(model, id)).toBeUndefined();
      expect(await oidc.findByUserCode('DeviceCode', userCode)).toBeUndefined();
      for (const [model, id, payload] of kept) expect(await oidc.find(model, id)).toStrictEqual(payload);
      await expect(oidc.revokeByGrantId(grantId)).resolves.toBeUndefined();

      // The grant's id works again for what comes after.
      const later = unique();
      await oidc.upsert('AccessToken', later, payloadOf({ grantId }), 60);
      expect(await oidc.find('AccessToken', later)).toBeDefined();
    });

    describe('expiry', () => {
      it('an entry is there before its lifetime ends and gone after, for every way to read it', async () => {
        const [id, uid, codeId, userCode, grantId] = [unique(), unique(), unique(), unique(), unique()];
        await oidc.upsert('Session', id, { uid }, 1);
        await oidc.upsert('DeviceCode', codeId, payloadOf({ userCode, grantId }), 1);
        await oidc.upsert('AccessToken', unique(), payloadOf({ grantId }), 60);
        await sut.clock.advance(400);
        expect(await oidc.find('Session', id)).toStrictEqual({ uid });
        expect(await oidc.findByUserCode('DeviceCode', userCode)).toBeDefined();
        await sut.clock.advance(900);
        expect(await oidc.find('Session', id)).toBeUndefined();
        expect(await oidc.findByUid('Session', uid)).toBeUndefined();
        expect(await oidc.find('DeviceCode', codeId)).toBeUndefined();
        expect(await oidc.findByUserCode('DeviceCode', userCode)).toBeUndefined();
        expect(await oidc.consume('DeviceCode', codeId)).toBe(false);
        expect(await oidc.find('DeviceCode', codeId)).toBeUndefined();
      });

      it('consuming keeps the lifetime; an upsert with no time left writes nothing', async () => {
        const [id, gone] = [unique(), unique()];
        await oidc.upsert('AuthorizationCode', id, payloadOf(), 1);
        await oidc.upsert('AuthorizationCode', gone, payloadOf(), 0);
        expect(await oidc.find('AuthorizationCode', gone)).toBeUndefined();
        await oidc.consume('AuthorizationCode', id);
        await sut.clock.advance(1300);
        expect(await oidc.find('AuthorizationCode', id)).toBeUndefined();
      });
    });

    // Only where the backend offers it (nothing to skip elsewhere).
    if (capabilities.shared)
      it('another instance on the same state sees, consumes and revokes the same entries', async () => {
        const other = await sut.sibling?.();
        if (!other) throw new Error('the factory has no sibling()');
        const [code, session, uid, grantId] = [unique(), unique(), unique(), unique()];
        const payload = payloadOf({ grantId });
        await oidc.upsert('AuthorizationCode', code, payload, 60);
        await oidc.upsert('Session', session, { uid }, 60);
        expect(await other.find('AuthorizationCode', code)).toStrictEqual(payload);
        expect(await other.findByUid('Session', uid)).toStrictEqual({ uid });
        const outcomes = await Promise.all([oidc.consume('AuthorizationCode', code), other.consume('AuthorizationCode', code)]);
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        await other.revokeByGrantId(grantId);
        expect(await oidc.find('AuthorizationCode', code)).toBeUndefined();
      });

    if (capabilities.durable)
      it('everything written is there after closing and opening again', async () => {
        if (!sut.reopen) throw new Error('the factory has no reopen()');
        const [code, session, uid, grantId] = [unique(), unique(), unique(), unique()];
        await oidc.upsert('AuthorizationCode', code, payloadOf({ grantId }), 60);
        await oidc.consume('AuthorizationCode', code);
        const consumed = (await oidc.find('AuthorizationCode', code))?.consumed;
        await oidc.upsert('Session', session, { uid }, 60);
        await oidc.upsert('Client', 'app', { client_id: 'app' });
        oidc = await sut.reopen();
        expect((await oidc.find('AuthorizationCode', code))?.consumed).toBe(consumed);
        expect(await oidc.findByUid('Session', uid)).toStrictEqual({ uid });
        expect(await oidc.find('Client', 'app')).toStrictEqual({ client_id: 'app' });
        await oidc.revokeByGrantId(grantId);
        expect(await oidc.find('AuthorizationCode', code)).toBeUndefined();
      });
  });
}
