/**
 * @module
 * The polling fallback, as the widget and the Authing SDK do it: `GET check` every 800 ms
 * (the next poll 800 ms after the previous answer). The sample is from sending `confirm` to the
 * poll that first sees status 2. Many logins run at once so that the run is short; confirms
 * happen at a random moment, as a person's tap does, so they fall anywhere between two polls.
 */
import { check, confirm, gene, registerPhone, scan } from '../lib/qrlogin';
import { msSince } from '../lib/stats';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function pollingLatency(base: string, samples: number, concurrency: number, intervalMs = 800): Promise<number[]> {
  const results: number[] = [];
  let started = 0;
  // Phone users first: a registration hashes a password (scrypt), which must not delay polls.
  const tokens = await Promise.all(Array.from({ length: concurrency }, () => registerPhone(base)));
  const worker = async (token: string) => {
    while (started < samples) {
      started += 1;
      const qr = await gene(base);
      await scan(base, token, qr.random);
      let sent: bigint | undefined;
      let seen: number | undefined;
      const polling = (async () => {
        for (;;) {
          const state = await check(base, qr.random, qr.secret);
          if (state.status === 2) {
            if (sent === undefined) throw new Error('status 2 before the confirm was sent');
            seen = msSince(sent);
            return;
          }
          await sleep(intervalMs);
        }
      })();
      await sleep(Math.random() * 2 * intervalMs);
      sent = process.hrtime.bigint();
      await confirm(base, token, qr.random);
      await polling;
      if (seen === undefined) throw new Error('poll ended without seeing the confirmation');
      results.push(seen);
    }
  };
  await Promise.all(tokens.map(worker));
  return results;
}
