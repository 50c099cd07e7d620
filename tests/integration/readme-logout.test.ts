/**
 * The README's back-channel logout endpoint (`logout.mjs` in "Signed-in browsers and sign-out")
 * works as written: copied into a folder of its own (only the host and port literals replaced by
 * this test's), run with node and `@qrlogin/node`; a browser signs in to its app, the phone signs
 * that browser out, and the endpoint says which session of which user ended. A forged token is
 * refused with 400.
 */
import { writeFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { API } from '../../shared/http';
import { api, dataOf } from '../helpers/api';
import { bearer, redeemedLogin, registerUser } from '../helpers/flow';
import { readmeBlock } from '../helpers/readme-blocks';
import { freePort } from '../helpers/redis-server';
import { type TestServer, startServer } from '../helpers/server';
import { type SiteProcess, linkNodeModules, startProcess } from '../helpers/site-login';
import { useTempFolders } from '../helpers/temp-folders';
import { sleep } from '../helpers/time';

const SECRET = 'shop-secret-change-me-0123456789';
const tempFolder = useTempFolders('qrlogin-readme-logout-');
let qrlogin: TestServer;
let endpoint: SiteProcess;
let endpointUrl = '';

beforeAll(async () => {
  const port = await freePort();
  endpointUrl = `http://127.0.0.1:${port}/backchannel-logout`;
  const apps = [{ id: 'shop', name: 'Example Shop', secret: SECRET, origins: [], backchannelLogoutUri: endpointUrl }];
  qrlogin = await startServer({ env: { APPS: JSON.stringify({ apps }) } });
  const code = readmeBlock('logout.mjs');
  expect(code).toContain("issuer: 'http://localhost:3000'");
  const written = code
    .replaceAll('http://localhost:3000', qrlogin.url)
    .replaceAll('http://localhost:5601', `http://127.0.0.1:${port}`)
    .replace('.listen(5601, ', `.listen(${port}, '127.0.0.1', `);
  const dir = tempFolder();
  writeFileSync(`${dir}/logout.mjs`, written);
  linkNodeModules(dir);
  endpoint = await startProcess(process.execPath, ['logout.mjs'], { cwd: dir, env: {}, ready: /back channel on/ });
});

afterAll(async () => {
  await endpoint?.stop();
  await qrlogin?.close();
});

test('the README endpoint verifies the logout token of a browser the phone signed out, as written', async () => {
  const http = api(qrlogin.url);
  const phone = await registerUser(http, 'Reader');
  const { user } = await redeemedLogin(http, { appId: 'shop', appSecret: SECRET, phone });
  const sid = String(decodeJwt(user.token).sid);
  dataOf(await http.delete(`${API.sessions}/${sid}`, bearer(phone.token)));
  const said = `signed out session ${sid} of user ${user.id}`;
  for (let waited = 0; !endpoint.output().includes(said) && waited < 10_000; waited += 100) await sleep(100);
  expect(endpoint.output()).toContain(said);
  // Anything else posted there is refused: an ID token is no logout token.
  const forged = await fetch(endpointUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: user.token }),
  });
  expect(forged.status).toBe(400);
});
