/**
 * @module
 * The operations of the OpenAPI document outside `/api/v2`: the QR image, health, the keys
 * and discovery, metrics, and the documents themselves. They answer plain JSON, text or
 * images, not the envelope (an error of `/qr.png` is an `ErrorEnvelope` with its HTTP status).
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { API } from '../../shared/http';
import { randomQuery } from '../edge/validation';
import { SECURITY } from './openapi-api';
import { errorEnvelope } from './schemas';

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const errorJson = (description: string) => ({ description, content: json(errorEnvelope) });
const anyObject = (id: string, description: string) => z.object({}).loose().meta({ id, description });

const jwks = z
  .object({
    keys: z.array(
      z
        .object({ kty: z.string(), kid: z.string(), alg: z.string().optional(), use: z.string().optional() })
        .loose()
        .meta({ description: 'A public JWK (RFC 7517).' }),
    ),
  })
  .meta({ id: 'Jwks', description: 'The JSON Web Key Set (RFC 7517).' });

const discovery = z.object({ issuer: z.string(), jwks_uri: z.string() }).loose().meta({
  id: 'OpenIdConfiguration',
  description: 'The OpenID Connect discovery document (OpenID Connect Discovery 1.0): at least `issuer` and `jwks_uri`.',
});

/** Registers the QR image, health, well-known, metrics and document operations. */
export function registerOtherPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: API.qrImage,
    operationId: 'qrImage',
    summary: 'The QR code as a PNG',
    description:
      'The `url` of `gene`: a 1-bit PNG of at most 256 px, loadable cross-origin by an `<img>` (`Access-Control-Allow-Origin: *`). An image never changes: `Cache-Control: public, max-age=<seconds until the QR expires>, immutable` and an `ETag`; a request with a matching `If-None-Match` gets 304. Outside the envelope rule: errors keep their HTTP status.',
    tags: ['Browser'],
    request: { query: randomQuery },
    responses: {
      200: {
        description: 'The image.',
        content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } },
      },
      304: { description: 'The image the `If-None-Match` names: unchanged (no body).' },
      400: errorJson('`random` is missing or not a string.'),
      404: errorJson('No such QR code, or it has expired.'),
      429: errorJson('Rate limited; `Retry-After` says when to try again.'),
      503: errorJson('The store cannot be reached.'),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/livez',
    operationId: 'livez',
    summary: 'Liveness',
    description: 'The process answers. Orchestrators restart on it.',
    tags: ['Operations'],
    responses: { 200: { description: 'Alive.', content: json(z.object({ status: z.literal('ok') })) } },
  });

  registry.registerPath({
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    summary: 'Readiness',
    description: 'Not shutting down, and the store answers. Load balancers route on it.',
    tags: ['Operations'],
    responses: {
      200: { description: 'Ready.', content: json(z.object({ status: z.literal('ready') })) },
      503: {
        description: 'Shutting down, or the store is unreachable.',
        content: json(z.object({ status: z.literal('not ready'), reason: z.string() })),
      },
    },
  });

  registry.registerPath({
    method: 'get',
    path: API.jwks,
    operationId: 'jwks',
    summary: 'The public keys of the ID tokens',
    description: 'Every key a token of this server may carry (old keys stay until their tokens have expired).',
    tags: ['Tokens'],
    responses: { 200: { description: 'The key set.', content: json(jwks) } },
  });

  registry.registerPath({
    method: 'get',
    path: API.openidConfiguration,
    operationId: 'openidConfiguration',
    summary: 'OpenID Connect discovery',
    description: "The OpenID Connect provider's discovery document; its `jwks_uri` is `/.well-known/jwks.json`.",
    tags: ['Tokens'],
    responses: { 200: { description: 'The discovery document.', content: json(discovery) } },
  });

  registry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description:
      'The Prometheus text exposition format (version 0.0.4). Served to loopback and private addresses, or to anyone with `METRICS_TOKEN` as a bearer token; refused otherwise. Absent (404) with `METRICS=off`.',
    tags: ['Operations'],
    security: [{ [SECURITY.metricsToken]: [] }, {}],
    responses: {
      200: { description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } },
      403: {
        description: 'Neither a private address nor the bearer `METRICS_TOKEN`.',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    tags: ['Documents'],
    responses: { 200: { description: 'OpenAPI 3.1.', content: json(anyObject('OpenApiDocument', 'An OpenAPI 3.1 document.')) } },
  });

  registry.registerPath({
    method: 'get',
    path: '/asyncapi.json',
    operationId: 'asyncapi',
    summary: 'The Socket.IO events',
    description: 'An AsyncAPI 3.0 document of the `qr:*` events.',
    tags: ['Documents'],
    responses: { 200: { description: 'AsyncAPI 3.0.', content: json(anyObject('AsyncApiDocument', 'An AsyncAPI 3.0 document.')) } },
  });

  registry.registerPath({
    method: 'get',
    path: '/docs',
    operationId: 'docs',
    summary: 'This document as a web page',
    tags: ['Documents'],
    responses: { 200: { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } } },
  });
}
