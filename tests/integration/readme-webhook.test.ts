/**
 * The README's webhook receiver (`webhook.mjs` in "Webhooks") works as written: copied into a
 * folder of its own (only the port literals replaced by this test's), run with node, express and
 * standardwebhooks; a full login's events arrive verified, each with its webhook-id.
 */
import { writeFileSync } from 'node:fs';
import { api } from '../helpers/api';
import { readmeBlock } from '../helpers/readme-blocks';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer, withApps } from '../helpers/server';
import { type SiteProcess, linkNodeModules, startProcess } from '../helpers/site-login';
import { useTempFolders } from '../helpers/temp-folders';
import { sleep } from '../helpers/time';
import { QUICK_DELIVERY, fullLogin, hookApp } from '../helpers/webhook-flow';
import { newWebhookSecret } from '../helpers/webhook-receiver';

const tempFolder = useTempFolders('qrlogin-readme-webhook-');
let qrlogin: TestServer;
let receiver: SiteProcess;

beforeAll(async () => {
  const port = await freePort();
  const secret = newWebhookSecret();
  const url = `http://127.0.0.1:${port}/webhooks/qrlogin`;
  qrlogin = await startServer({ configure: withApps(hookApp('shop', url, secret)), deps: { webhookDelivery: QUICK_DELIVERY } });
  const code = readmeBlock('webhook.mjs');
  expect(code).toContain('app.listen(5602, ');
  const dir = tempFolder();
  writeFileSync(
    `${dir}/webhook.mjs`,
    code.replaceAll('http://localhost:5602', `http://127.0.0.1:${port}`).replace('app.listen(5602, ', `app.listen(${port}, '127.0.0.1', `),
  );
  linkNodeModules(dir);
  receiver = await startProcess(process.execPath, ['webhook.mjs'], {
    cwd: dir,
    env: { QRLOGIN_WEBHOOK_SECRET: secret },
    ready: /webhooks on/,
  });
});

afterAll(async () => {
  await receiver?.stop();
  await qrlogin?.close();
});

test('the README receiver verifies every event of a login, as written', async () => {
  const login = await fullLogin(api(qrlogin.url), 'shop');
  const expected = ['qr.scanned', 'qr.confirmed', 'ticket.redeemed'].map((type) => `${type} ${login.qr.random} msg_`);
  for (let waited = 0; expected.some((line) => !receiver.output().includes(line)) && waited < 10_000; waited += 100) await sleep(100);
  for (const line of expected) expect(receiver.output()).toContain(line);
});
