/**
 * `ALLOW_REGISTRATION=false`: sign-ups get their own code (2027), distinct from the origin
 * refusal (403) they once shared; logins of existing accounts go on.
 */
import { API } from '../../shared/http';
import { api } from '../helpers/api';
import { type TestServer, startServer } from '../helpers/server';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { ALLOW_REGISTRATION: 'false' } });
});

afterAll(async () => {
  await server.close();
});

test('registration turned off answers 2027 in both languages, never 403', async () => {
  const body = { username: 'newcomer', password: 'correct horse battery' };
  expect((await api(server.url).post(API.register, body)).body).toEqual({ code: 2027, message: 'Registration is disabled', data: null });
  expect((await api(server.url).post(API.register, body, { 'x-authing-lang': 'zh-CN' })).body).toMatchObject({
    code: 2027,
    message: '注册已关闭',
  });
  expect((await api(server.url).post(API.login, body)).body.code).toBe(2333);
});
