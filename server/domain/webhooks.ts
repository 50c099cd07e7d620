/**
 * @module
 * Webhooks (Standard Webhooks, https://www.standardwebhooks.com): the event types an app may
 * receive, the rules for its endpoint URL and signing secret, and which addresses count as
 * private (refused as targets in production unless the app allows them: SSRF). Pure: the
 * configuration checks entries with it, the delivery checks resolved addresses with it.
 */
import { BlockList, isIP } from 'node:net';

/** Every event type, in the order a login produces them. */
export const WEBHOOK_EVENT_TYPES = ['qr.scanned', 'qr.confirmed', 'qr.cancelled', 'qr.expired', 'ticket.redeemed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The Standard Webhooks secret prefix; the rest is the key, base64. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** Key length bounds of the Standard Webhooks specification (bytes). */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** The HMAC key of a `whsec_…` secret (its base64 part decoded). */
export function webhookKey(secret: string): Buffer {
  return Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
}

/**
 * Why `secret` cannot sign webhooks, or null when it can: `whsec_` then standard base64 of 24
 * to 64 random bytes (`node -e "console.log('whsec_' + require('crypto').randomBytes(32).toString('base64'))"`).
 * The reason never quotes the secret.
 */
export function webhookSecretProblem(secret: string): string | null {
  const format = `must be ${WEBHOOK_SECRET_PREFIX} followed by the base64 of ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES} random bytes`;
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return format;
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return format;
  const key = webhookKey(secret);
  // Decoding drops what is not base64 quietly: only text that encodes back to itself is taken.
  if (key.toString('base64') !== encoded) return format;
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) return format;
  return null;
}

/** Why `uri` cannot be a webhook endpoint, or null: an absolute http(s) URL, no credentials or fragment. */
export function webhookUrlProblem(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL, like https://shop.example/webhooks/qrlogin';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain a user or password';
  if (uri.includes('#')) return 'must not have a fragment (#)';
  return null;
}

/** The host of a URL as an address or a name: IPv6 without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * IPv4 ranges that are not public unicast (RFC 6890 and the IANA special-purpose registry):
 * "this network", private (RFC 1918), shared CGNAT, loopback, link-local (cloud metadata
 * services live at 169.254.169.254), IETF protocol assignments, documentation, benchmarking,
 * multicast, reserved and broadcast.
 */
const PRIVATE_V4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/** `a.b.c.d` as the two 16-bit groups IPv6 text writes it in. */
function v4Groups(address: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
  return `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

const PRIVATE = new BlockList();
for (const [network, bits] of PRIVATE_V4) {
  PRIVATE.addSubnet(network, bits, 'ipv4');
  // The same addresses inside IPv6: IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and
  // 6to4 (2002::/16). IPv4-mapped (::ffff:a.b.c.d) is matched by the IPv4 rule itself.
  PRIVATE.addSubnet(`::${v4Groups(network)}`, 96 + bits, 'ipv6');
  PRIVATE.addSubnet(`64:ff9b::${v4Groups(network)}`, 96 + bits, 'ipv6');
  PRIVATE.addSubnet(`2002:${v4Groups(network)}::`, 16 + bits, 'ipv6');
}
/** Unspecified, loopback, discard, Teredo (a tunnel to any IPv4), documentation, unique local, link-local, multicast. */
for (const [network, bits] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(network, bits, 'ipv6');
}

/** Whether `address` (an IP literal) is not a public unicast address: loopback, private, link-local, … */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Whether the URL's host is private as written: a private IP literal, or `localhost` and its
 * subdomains (RFC 6761). Names are checked again once resolved, at each delivery.
 */
export function isPrivateHost(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  const host = hostOf(url).toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host);
}
