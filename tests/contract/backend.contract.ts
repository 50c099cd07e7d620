/**
 * The members of a `Backend` (server/backend/types.ts) beyond its stores, one suite for every
 * backend: rate counters, the signing key set, readiness and shutdown. The stores have their
 * own suite (store.contract.ts); memory and Redis both run both, and so will every backend
 * that comes (a durable embedded one, Redis Cluster).
 */
import { sign, verify } from 'node:crypto';
import type { Backend } from '../../server/backend/types';
import { sleep } from '../helpers/time';

export interface BackendContractOptions {
  /** A fresh backend for one test. */
  make(): Promise<Backend>;
  /** A second instance sharing the first one's state (several instances), if the kind has one. */
  sibling?(): Promise<Backend>;
}

export function backendContract(name: string, options: BackendContractOptions): void {
  describe(`${name} backend`, () => {
    let backend: Backend;
    beforeEach(async () => {
      backend = await options.make();
    });
    afterEach(async () => {
      await backend.close();
    });

    it('is ready once made', async () => {
      await expect(backend.ping()).resolves.toBeUndefined();
    });

    describe('rate counters', () => {
      it('count hits per rule and subject, with the time left in the window', async () => {
        const first = await backend.counters.hit('contract', 'alice', 60_000);
        const second = await backend.counters.hit('contract', 'alice', 60_000);
        expect(first.count).toBe(1);
        expect(second.count).toBe(2);
        expect(second.resetMs).toBeGreaterThan(0);
        expect(second.resetMs).toBeLessThanOrEqual(60_000);
        expect(second.full).toBeFalsy();
      });

      it('keep subjects and rules apart', async () => {
        await backend.counters.hit('contract', 'bob', 60_000);
        expect((await backend.counters.hit('contract', 'carol', 60_000)).count).toBe(1);
        expect((await backend.counters.hit('other-rule', 'bob', 60_000)).count).toBe(1);
      });

      it('start a new window once the old one has ended', async () => {
        await backend.counters.hit('contract-short', 'dave', 50);
        await backend.counters.hit('contract-short', 'dave', 50);
        await sleep(120);
        expect((await backend.counters.hit('contract-short', 'dave', 50)).count).toBe(1);
      });

      it('count concurrent hits exactly', async () => {
        const counts = await Promise.all(Array.from({ length: 25 }, () => backend.counters.hit('contract', 'erin', 60_000)));
        expect(counts.map((hit) => hit.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      });
    });

    describe('key set', () => {
      it('signs with its current key, which it publishes and resolves by kid', async () => {
        const { current } = backend.keys;
        const published = backend.keys.jwks().keys;
        expect(published[0]).toMatchObject({ kid: current.kid, alg: current.alg, use: 'sig' });
        expect(JSON.stringify(published)).not.toMatch(/"d":/);
        const resolved = await backend.keys.resolve(current.kid);
        if (!resolved) throw new Error('the current kid does not resolve');
        expect(resolved.alg).toBe(current.alg);
        const data = Buffer.from('contract');
        expect(verify('sha256', data, resolved.publicKey, sign('sha256', data, current.privateKey))).toBe(true);
        expect(backend.keys.verificationKey(current.kid)?.publicKey).toBe(resolved.publicKey);
      });

      it('knows no key for an unknown kid', async () => {
        expect(backend.keys.verificationKey('no-such-kid')).toBeUndefined();
        await expect(backend.keys.resolve('no-such-kid')).resolves.toBeUndefined();
      });

      it('agrees on one demo secret: the first candidate offered', async () => {
        const first = await backend.sharedDemoSecret('first-candidate-0123456789');
        expect(first).toBe('first-candidate-0123456789');
        if (!options.sibling) return;
        const sibling = await options.sibling();
        try {
          expect(await sibling.sharedDemoSecret('second-candidate-0123456789')).toBe(first);
        } finally {
          await sibling.close();
        }
      });

      if (options.sibling) {
        it('is the same key set on a second instance', async () => {
          const sibling = await options.sibling?.();
          if (!sibling) throw new Error('no sibling');
          try {
            expect(sibling.keys.current.kid).toBe(backend.keys.current.kid);
            expect((await sibling.keys.resolve(backend.keys.current.kid))?.alg).toBe(backend.keys.current.alg);
          } finally {
            await sibling.close();
          }
        });
      }
    });
  });
}
