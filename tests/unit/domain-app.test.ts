/**
 * The app model (server/domain/app.ts): `originAllowed` for the per-app origin patterns,
 * against apps as loadConfig builds them.
 */
import { type AppConfig, loadConfig } from '../../server/config';
import { originAllowed } from '../../server/domain/app';

describe('originAllowed', () => {
  const demo = (env: Record<string, string> = {}): AppConfig => {
    const app = loadConfig(env).config.apps[0];
    if (!app) throw new Error('no demo app');
    return app;
  };
  const custom: AppConfig = {
    ...demo(),
    origins: ['https://shop.example', 'http://localhost:*'],
  };

  it.each([
    ['https://shop.example', true],
    ['http://localhost:5173', true],
    ['http://localhost:1', true],
    ['http://localhost', true], // the default port: what a browser sends for :80
    ['http://localhost:65535', true],
    ['http://localhost:65536', false],
    ['http://localhost:0', false],
    ['https://shop.example.evil.com', false],
    ['https://shop.example:443', false],
    ['https://shop.example/', false],
    ['http://shop.example', false],
    ['https://SHOP.example', false],
    ['http://localhost.evil.com:80', false],
    ['http://localhost:80/x', false],
    ['https://localhost:5173', false],
    ['http://localhost:', false],
    ['http://localhost:123456', false],
    ['http://localhost:80a', false],
    ['http://localhost:*', false],
    ['http://127.0.0.1:3000', false],
    ['null', false],
    ['', false],
  ] as const)('%s → %s', (origin, allowed) => {
    expect(originAllowed(custom, origin)).toBe(allowed);
  });

  it('the demo app allows the public origin and localhost / 127.0.0.1 on any port', () => {
    const app = demo({ PUBLIC_URL: 'https://login.example.com/base/' });
    expect(originAllowed(app, 'https://login.example.com')).toBe(true);
    expect(originAllowed(app, 'http://localhost:5173')).toBe(true);
    expect(originAllowed(app, 'http://127.0.0.1:8080')).toBe(true);
    expect(originAllowed(app, 'https://login.example.com.evil.com')).toBe(false);
    expect(originAllowed(app, 'http://login.example.com')).toBe(false);
    expect(originAllowed(app, 'https://evil.example')).toBe(false);
  });
});
