/**
 * The identity part of `loadConfig` (server/config/identity.ts): `BUILTIN_USERS` and the
 * company's identity provider (`USER_TOKEN_*`).
 */
import { loadConfig } from '../../server/config';
import { problemsOf } from '../helpers/config';
import { DEFAULT_EXTERNAL_ALGORITHMS } from '../../server/config/identity';

const ISSUER = 'https://idp.shop.test';

describe('identity configuration', () => {
  it('is the built-in directory alone by default', () => {
    expect(loadConfig({}).config.identity).toEqual({ builtinUsers: true, external: null });
  });

  it('reads a JWT issuer with its audience, algorithms and key URL', () => {
    const { config, warnings } = loadConfig({
      USER_TOKEN_ISSUER: ISSUER,
      USER_TOKEN_AUDIENCE: 'https://api.shop.test',
      USER_TOKEN_ALGORITHMS: 'ES256, RS256,ES256',
      USER_TOKEN_JWKS_URL: 'https://idp.shop.test/keys',
      BUILTIN_USERS: 'false',
    });
    expect(config.identity).toEqual({
      builtinUsers: false,
      external: {
        issuer: ISSUER,
        jwksUrl: 'https://idp.shop.test/keys',
        audience: 'https://api.shop.test',
        algorithms: ['ES256', 'RS256'],
        introspection: null,
      },
    });
    expect(warnings.join('\n')).not.toMatch(/USER_TOKEN_AUDIENCE/);
  });

  it('keeps URLs exactly as written: an issuer with a trailing slash is compared with iss as is', () => {
    const { config } = loadConfig({
      USER_TOKEN_ISSUER: 'https://tenant.auth0.test/',
      USER_TOKEN_AUDIENCE: 'api',
      USER_TOKEN_INTROSPECTION_URL: 'https://idp.shop.test/o/introspect/',
      USER_TOKEN_INTROSPECTION_CLIENT_ID: 'qrlogin',
      USER_TOKEN_INTROSPECTION_CLIENT_SECRET: 'secret',
    });
    expect(config.identity.external?.issuer).toBe('https://tenant.auth0.test/');
    expect(config.identity.external?.introspection?.url).toBe('https://idp.shop.test/o/introspect/');
  });

  it('reads introspection alone, with the default algorithms', () => {
    const { config } = loadConfig({
      USER_TOKEN_INTROSPECTION_URL: 'https://idp.shop.test/introspect',
      USER_TOKEN_INTROSPECTION_CLIENT_ID: 'qrlogin',
      USER_TOKEN_INTROSPECTION_CLIENT_SECRET: 's e c r e t',
    });
    expect(config.identity.external).toEqual({
      issuer: null,
      jwksUrl: null,
      audience: null,
      algorithms: DEFAULT_EXTERNAL_ALGORITHMS,
      introspection: { url: 'https://idp.shop.test/introspect', clientId: 'qrlogin', clientSecret: 's e c r e t' },
    });
  });

  it('warns about an issuer without an audience, and refuses it in production', () => {
    expect(loadConfig({ USER_TOKEN_ISSUER: ISSUER }).warnings.join('\n')).toMatch(/without USER_TOKEN_AUDIENCE/);
    expect(problemsOf({ NODE_ENV: 'production', USER_TOKEN_ISSUER: ISSUER }).join('\n')).toMatch(/without USER_TOKEN_AUDIENCE/);
  });

  it('warns about a plain-http provider on another host, refuses it in production, and allows loopback', () => {
    const plain = { USER_TOKEN_ISSUER: 'http://idp.shop.test', USER_TOKEN_AUDIENCE: 'api' };
    expect(loadConfig(plain).warnings.join('\n')).toMatch(/USER_TOKEN_ISSUER is plain http: .*use https/);
    expect(problemsOf({ NODE_ENV: 'production', ...plain }).join('\n')).toMatch(/NODE_ENV=production: USER_TOKEN_ISSUER is plain http/);
    const introspection = {
      USER_TOKEN_INTROSPECTION_URL: 'http://idp.shop.test/introspect',
      USER_TOKEN_INTROSPECTION_CLIENT_ID: 'qrlogin',
      USER_TOKEN_INTROSPECTION_CLIENT_SECRET: 'secret',
    };
    expect(loadConfig(introspection).warnings.join('\n')).toMatch(/USER_TOKEN_INTROSPECTION_URL is plain http/);
    const loopback = { USER_TOKEN_ISSUER: 'http://127.0.0.1:4000', USER_TOKEN_AUDIENCE: 'api' };
    expect(loadConfig(loopback).warnings.join('\n')).not.toMatch(/plain http/);
  });

  it.each([
    [{ USER_TOKEN_ALGORITHMS: 'HS256' }, /USER_TOKEN_ALGORITHMS.*not allowed: HS256/],
    [{ USER_TOKEN_ALGORITHMS: 'none,RS256' }, /not allowed: none/],
    [{ USER_TOKEN_ALGORITHMS: ' , ' }, /USER_TOKEN_ALGORITHMS must list/],
    [{ USER_TOKEN_ISSUER: 'ftp://idp.shop.test' }, /USER_TOKEN_ISSUER must be a http: or https: URL/],
    [{ USER_TOKEN_ISSUER: ISSUER, USER_TOKEN_JWKS_URL: 'not a url' }, /USER_TOKEN_JWKS_URL must be/],
    [{ USER_TOKEN_JWKS_URL: 'https://idp.shop.test/keys' }, /USER_TOKEN_JWKS_URL needs USER_TOKEN_ISSUER/],
    [{ USER_TOKEN_INTROSPECTION_URL: 'https://idp.shop.test/i' }, /needs USER_TOKEN_INTROSPECTION_CLIENT_ID/],
    [{ USER_TOKEN_INTROSPECTION_CLIENT_ID: 'qrlogin' }, /_SECRET need USER_TOKEN_INTROSPECTION_URL/],
    [{ BUILTIN_USERS: 'false' }, /BUILTIN_USERS=false needs USER_TOKEN_ISSUER or USER_TOKEN_INTROSPECTION_URL/],
    [{ BUILTIN_USERS: 'maybe' }, /BUILTIN_USERS must be true or false/],
    [{ USER_TOKEN_AUDIENCE: 'api' }, /USER_TOKEN_AUDIENCE needs/],
  ])('refuses %p', (env, problem) => {
    expect(problemsOf(env).join('\n')).toMatch(problem);
  });

  it('never puts the introspection secret in a problem', () => {
    const problems = problemsOf({ USER_TOKEN_INTROSPECTION_CLIENT_SECRET: 'hunter2-secret-value' });
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
