/**
 * @module
 * What every `/api/*` request passes before its route: CORS, then JSON parsing with a small
 * body limit (larger bodies get HTTP 413 with envelope code 413).
 */
import express, { type RequestHandler } from 'express';
import type { AppRegistry } from '../services/apps';
import { cors } from './cors';

/** Largest JSON body accepted. */
export const MAX_JSON_BODY = '16kb';

export function corsAndJson(apps: AppRegistry, publicUrl: string): RequestHandler[] {
  return [cors(apps, publicUrl), express.json({ limit: MAX_JSON_BODY })];
}
