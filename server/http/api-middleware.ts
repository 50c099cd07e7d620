/**
 * @module
 * What every `/api/*` request passes before its route: CORS, then JSON parsing with a small
 * body limit (larger bodies get HTTP 413 with envelope code 413).
 */
import type { RequestHandler } from 'express';
import type { OriginPolicy } from '../edge/origin-policy';
import { cors } from './cors';
import { jsonBody } from './json-body';

/** Largest JSON body accepted, in bytes (16 kB). */
export const MAX_JSON_BODY = 16 * 1024;

export function corsAndJson(origins: OriginPolicy): RequestHandler[] {
  return [cors(origins), jsonBody(MAX_JSON_BODY)];
}
