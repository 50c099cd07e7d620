/**
 * @module
 * Who may use the phone endpoints: the built-in user directory (`BUILTIN_USERS`), and the
 * company's own identity provider (`USER_TOKEN_*`): JWT access tokens checked against its
 * keys, or opaque tokens asked about at its RFC 7662 introspection endpoint.
 */
import type { Reader } from './reader';

/** Asymmetric JWS algorithms a company's access token may use; never `none`, never HS*. */
export const EXTERNAL_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type ExternalAlgorithm = (typeof EXTERNAL_ALGORITHMS)[number];
export const DEFAULT_EXTERNAL_ALGORITHMS: readonly ExternalAlgorithm[] = ['RS256', 'ES256', 'PS256', 'EdDSA'];

export interface IntrospectionConfig {
  /** `USER_TOKEN_INTROSPECTION_URL`. */
  url: string;
  /** `USER_TOKEN_INTROSPECTION_CLIENT_ID`, sent with the secret as HTTP Basic. */
  clientId: string;
  /** `USER_TOKEN_INTROSPECTION_CLIENT_SECRET`. */
  clientSecret: string;
}

/** The company's identity provider, as the phone's tokens are checked against it. */
export interface ExternalIdentityConfig {
  /** `USER_TOKEN_ISSUER`: the `iss` of its JWT access tokens (and its discovery document's base). */
  issuer: string | null;
  /** `USER_TOKEN_JWKS_URL`; null: the `jwks_uri` of the issuer's discovery document. */
  jwksUrl: string | null;
  /** `USER_TOKEN_AUDIENCE`: the `aud` its tokens must carry (required in production). */
  audience: string | null;
  /** `USER_TOKEN_ALGORITHMS`. @default RS256,ES256,PS256,EdDSA */
  algorithms: readonly ExternalAlgorithm[];
  /** Opaque tokens: RFC 7662 introspection. */
  introspection: IntrospectionConfig | null;
}

export interface IdentityConfig {
  /** `BUILTIN_USERS`: the built-in directory (`register`, `login`, its user tokens). @default true */
  builtinUsers: boolean;
  /** Null when no `USER_TOKEN_ISSUER` or `USER_TOKEN_INTROSPECTION_URL` is set. */
  external: ExternalIdentityConfig | null;
}

/**
 * A URL exactly as configured: the reader's `url` trims trailing slashes, but an issuer is
 * compared with the `iss` of tokens character for character (Auth0's end with a slash), and an
 * endpoint may need its slash (Django's `/o/introspect/`).
 */
function exactUrl(read: Reader, name: string): string | undefined {
  return read.url(name, ['http:', 'https:']) === undefined ? undefined : read.raw(name);
}

/** An `http:` URL of a host other than this machine's loopback. */
function isPlainRemote(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(hostname) && !hostname.startsWith('127.');
}

function readAlgorithms(read: Reader, problems: string[]): readonly ExternalAlgorithm[] {
  const value = read.raw('USER_TOKEN_ALGORITHMS');
  if (value === undefined) return DEFAULT_EXTERNAL_ALGORITHMS;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(EXTERNAL_ALGORITHMS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    problems.push(
      `USER_TOKEN_ALGORITHMS must list asymmetric algorithms among ${EXTERNAL_ALGORITHMS.join(', ')} (never none or HS*)` +
        (unknown.length > 0 ? `; not allowed: ${unknown.join(', ')}` : ''),
    );
    return DEFAULT_EXTERNAL_ALGORITHMS;
  }
  return [...new Set(names)] as ExternalAlgorithm[];
}

function readIntrospection(read: Reader, problems: string[]): IntrospectionConfig | null {
  const url = exactUrl(read, 'USER_TOKEN_INTROSPECTION_URL');
  const clientId = read.raw('USER_TOKEN_INTROSPECTION_CLIENT_ID');
  const clientSecret = read.raw('USER_TOKEN_INTROSPECTION_CLIENT_SECRET');
  if (url === undefined) {
    if (clientId !== undefined || clientSecret !== undefined) {
      problems.push('USER_TOKEN_INTROSPECTION_CLIENT_ID and _SECRET need USER_TOKEN_INTROSPECTION_URL');
    }
    return null;
  }
  if (clientId === undefined || clientSecret === undefined) {
    problems.push('USER_TOKEN_INTROSPECTION_URL needs USER_TOKEN_INTROSPECTION_CLIENT_ID and USER_TOKEN_INTROSPECTION_CLIENT_SECRET');
    return null;
  }
  return { url, clientId, clientSecret };
}

export function readIdentity(read: Reader, production: boolean, problems: string[], warnings: string[]): IdentityConfig {
  const builtinUsers = read.bool('BUILTIN_USERS', true);
  const issuer = exactUrl(read, 'USER_TOKEN_ISSUER') ?? null;
  const jwksUrl = exactUrl(read, 'USER_TOKEN_JWKS_URL') ?? null;
  const audience = read.raw('USER_TOKEN_AUDIENCE') ?? null;
  const algorithms = readAlgorithms(read, problems);
  const introspection = readIntrospection(read, problems);

  if (jwksUrl !== null && issuer === null) problems.push('USER_TOKEN_JWKS_URL needs USER_TOKEN_ISSUER (the iss its tokens carry)');
  const external = issuer !== null || introspection !== null ? { issuer, jwksUrl, audience, algorithms, introspection } : null;
  if (external === null) {
    if (!builtinUsers)
      problems.push('BUILTIN_USERS=false needs USER_TOKEN_ISSUER or USER_TOKEN_INTROSPECTION_URL (else nobody can sign in)');
    if (audience !== null) problems.push('USER_TOKEN_AUDIENCE needs USER_TOKEN_ISSUER or USER_TOKEN_INTROSPECTION_URL');
    return { builtinUsers, external: null };
  }
  if (issuer !== null && audience === null) {
    const risk = 'without USER_TOKEN_AUDIENCE, any access token of USER_TOKEN_ISSUER is accepted, whatever API it was meant for';
    if (production) problems.push(`NODE_ENV=production: ${risk}`);
    else warnings.push(risk);
  }
  // Keys and introspection answers decide who signs in: never over plain HTTP to another host.
  const plain = (
    [
      ['USER_TOKEN_ISSUER', issuer],
      ['USER_TOKEN_JWKS_URL', jwksUrl],
      ['USER_TOKEN_INTROSPECTION_URL', introspection?.url ?? null],
    ] as const
  ).filter(([, url]) => url !== null && isPlainRemote(url));
  for (const [name] of plain) {
    const risk = `${name} is plain http: whoever sits on the network path can decide who signs in; use https`;
    if (production) problems.push(`NODE_ENV=production: ${risk}`);
    else warnings.push(risk);
  }
  return { builtinUsers, external };
}
