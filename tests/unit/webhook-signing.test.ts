/**
 * The pure parts of webhooks: our Standard Webhooks signature checked by the `standardwebhooks`
 * package (an independent implementation) and against the specification's own example; the
 * event bodies, built field by field (no ticket, secret hash or custom data of a session); the
 * addresses refused as private targets.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { isPrivateAddress, isPrivateHost } from '../../server/domain/webhooks';
import { redeemedEvent, sessionEvent } from '../../server/webhooks/events';
import { signWebhook } from '../../server/webhooks/sign';
import { confirmed, scanned, sessionFixture } from '../contract/store-fixtures';

test('a signature verifies with the standardwebhooks package, and only with the right secret, id, timestamp and body', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const body = JSON.stringify({ type: 'qr.confirmed', timestamp: new Date().toISOString(), data: { random: 'R1', appId: 'shop' } });
  const now = Math.floor(Date.now() / 1000);
  const headers = signWebhook(secret, 'msg_abc', now, body);
  expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  const refused =
    (candidate: Record<string, string>, payload = body, key = secret) =>
    () =>
      new Webhook(key).verify(payload, candidate);
  expect(refused({ ...headers }, body, `whsec_${randomBytes(32).toString('base64')}`)).toThrow();
  expect(refused({ ...headers, 'webhook-id': 'msg_other' })).toThrow();
  expect(refused({ ...headers, 'webhook-timestamp': String(now + 1) })).toThrow();
  expect(refused({ ...headers }, body.replace('shop', 'shoq'))).toThrow();
});

test('the specification’s example signature comes out exactly', () => {
  // From https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
  const headers = signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
  expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

test('a session event carries the QR, the app, the scanner and the browser: nothing else of the session', () => {
  const at = Date.UTC(2030, 0, 1);
  const session = confirmed(scanned(sessionFixture(at), 'user-9'), at).next;
  const event = sessionEvent('qr.confirmed', session, at + 1500);
  expect(event).toEqual({
    type: 'qr.confirmed',
    timestamp: '2030-01-01T00:00:01.500Z',
    data: {
      random: session.random,
      appId: 'demo',
      userId: 'user-9',
      requester: { ip: '203.0.113.7', browser: 'Chrome 126', os: 'Linux' },
    },
  });
  const text = JSON.stringify(event);
  expect(session.ticket).toEqual(expect.any(String));
  for (const hidden of [session.ticket ?? '', session.secretHash, 'customData', 'userAgent', 'origin']) expect(text).not.toContain(hidden);
  expect(sessionEvent('qr.expired', sessionFixture(at), at).data).not.toHaveProperty('userId');
  expect(redeemedEvent({ random: 'R', appId: 'shop', userId: 'u', requester: { ip: '1', browser: 'b', os: 'o' } }, at)).toEqual({
    type: 'ticket.redeemed',
    timestamp: '2030-01-01T00:00:00.000Z',
    data: { random: 'R', appId: 'shop', userId: 'u', requester: { ip: '1', browser: 'b', os: 'o' } },
  });
});

test('private targets: loopback, private, CGNAT, link-local, unique local, and IPv4 inside IPv6; public ones pass', () => {
  const refused = [
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fd12::1',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:c0a8:101::1',
  ];
  const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'];
  expect(refused.filter((address) => !isPrivateAddress(address))).toEqual([]);
  expect(allowed.filter(isPrivateAddress)).toEqual([]);
  // URLs as written: IP literals in any spelling the URL parser accepts, and localhost names.
  for (const url of [
    'http://localhost:3000/x',
    'https://hooks.localhost/',
    'http://[::1]/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://127.1/',
  ]) {
    expect([url, isPrivateHost(url)]).toEqual([url, true]);
  }
  expect(isPrivateHost('https://shop.example/hooks')).toBe(false);
  expect(isPrivateHost('https://8.8.8.8/hooks')).toBe(false);
});
