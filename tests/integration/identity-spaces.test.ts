/**
 * Built-in accounts and the company's accounts side by side share one id space: a provider
 * `sub` that names a built-in account must not act as it (it would scan, confirm and be
 * signed in to websites as that person).
 */
import { API } from '../../shared/http';
import { api } from '../helpers/api';
import { bearer, registerUser } from '../helpers/flow';
import { type TestIdp, startIdp } from '../helpers/idp/index';
import { SHOP_API, idpEnv, signInWith } from '../helpers/idp/login';
import { type TestServer, startServer } from '../helpers/server';

let idp: TestIdp;
let server: TestServer;

beforeAll(async () => {
  idp = await startIdp();
  server = await startServer({ env: idpEnv(idp) });
});
afterAll(async () => {
  await server?.close();
  await idp?.stop();
});

test("a provider token whose sub is a built-in account's id gets 2020; the account and other subs are unaffected", async () => {
  const http = api(server.url);
  const builtin = await registerUser(http, 'Built-in Bea');
  const impostor = await idp.mint(builtin.user.id, { resource: SHOP_API, claims: { name: 'Not Bea' } });
  expect((await http.get(API.me, bearer(impostor))).body.code).toBe(2020);
  expect((await http.post(API.scanned, { random: 'x'.repeat(22) }, bearer(impostor))).body.code).toBe(2020);

  expect((await signInWith(http, builtin.token)).nickname).toBe('Built-in Bea');
  expect((await signInWith(http, await idp.mint('alice-1001', { resource: SHOP_API }))).id).toBe('alice-1001');
});
