/**
 * The back-channel logout delivery at its ends, against a real endpoint on 127.0.0.1: it gives
 * up after its last retry, and a shutdown drops the pending retries and refuses new sends —
 * each said in a `warn` line naming the app, never a token.
 */
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { createAppRegistry } from '../../server/services/apps';
import { createLogoutDelivery } from '../../server/services/logout-delivery';
import { startBackchannelEndpoint } from '../helpers/backchannel';
import { testApp } from '../helpers/server';
import { sleep } from '../helpers/time';
import { harness } from '../helpers/token-harness';

async function setUp(statuses: number[], retryDelaysMs: number[]) {
  const endpoint = await startBackchannelEndpoint(statuses);
  const { config } = loadConfig({ NODE_ENV: 'test', DEMO_PAGES: 'false' });
  const apps = createAppRegistry({ ...config, apps: [testApp(config, { id: 'shop', backchannelLogoutUri: endpoint.url })] });
  const lines: string[] = [];
  const delivery = createLogoutDelivery(
    { tokens: harness().service, apps, logger: createLogger('debug', (line) => lines.push(line)) },
    { retryDelaysMs, attemptTimeoutMs: 2_000 },
  );
  return { endpoint, delivery, lines };
}

test('after its last retry the delivery gives up, and says so', async () => {
  const { endpoint, delivery, lines } = await setUp([500, 500, 500], [30, 30]);
  try {
    delivery.send({ id: 'sid-1', userId: 'u1', appId: 'shop' });
    await endpoint.received(3);
    for (let waited = 0; !lines.some((l) => l.includes('given up')) && waited < 3_000; waited += 20) await sleep(20);
    expect(lines.filter((l) => l.includes('will retry'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('back-channel logout given up'))).toHaveLength(1);
    await sleep(150);
    expect(endpoint.deliveries).toHaveLength(3);
    for (const line of lines) for (const d of endpoint.deliveries) expect(line).not.toContain(d.token);
  } finally {
    delivery.close();
    await endpoint.close();
  }
});

test('a shutdown drops the pending retries and refuses new sends, saying so', async () => {
  const { endpoint, delivery, lines } = await setUp([503], [60_000]);
  try {
    delivery.send({ id: 'sid-2', userId: 'u1', appId: 'shop' });
    await endpoint.received(1);
    for (let waited = 0; !lines.some((l) => l.includes('will retry')) && waited < 3_000; waited += 20) await sleep(20);
    delivery.close();
    expect(lines.some((l) => l.includes('given up at shutdown') && l.includes('"pending":1'))).toBe(true);
    delivery.send({ id: 'sid-3', userId: 'u1', appId: 'shop' });
    expect(lines.some((l) => l.includes('given up: shutting down') && l.includes('"appId":"shop"'))).toBe(true);
    // An app without a back channel is nobody to tell: nothing is sent, nothing said.
    const said = lines.length;
    delivery.send({ id: 'sid-4', userId: 'u1', appId: 'demo' });
    expect(lines).toHaveLength(said);
    await sleep(100);
    expect(endpoint.deliveries).toHaveLength(1);
  } finally {
    await endpoint.close();
  }
});
