/**
 * @module
 * The `/api/v2/*` operations of the OpenAPI document: request schemas are the very ones the
 * routes validate with (server/edge/validation.ts), answers are schemas.ts's envelopes.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { ErrorKey } from '../../shared/errors';
import { API } from '../../shared/http';
import { confirmBody, geneBody, loginBody, randomBody, randomQuery, registerBody, ticketBody } from '../edge/validation';
import { errorNote } from './error-codes';
import {
  checkData,
  decisionData,
  emptyData,
  errorEnvelope,
  geneData,
  meData,
  named,
  okEnvelope,
  scannedData,
  sessionData,
  sessionsData,
  signOutData,
  userInfoData,
} from './schemas';

/** Names of the reusable header parameters (openapi.ts registers them). */
export const PARAMETERS = { appId: 'AppId', lang: 'Lang' } as const;
/** Names of the security schemes (openapi.ts registers them). */
export const SECURITY = {
  userToken: 'userToken',
  appSecret: 'appSecret',
  browserSecret: 'browserSecret',
  metricsToken: 'metricsToken',
} as const;

const ref = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const phone = [{ [SECURITY.userToken]: [] }];

interface ApiOperation {
  method: 'get' | 'post' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  data: z.ZodType;
  errors: readonly ErrorKey[];
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  security?: Record<string, string[]>[];
  /** Takes `x-authing-app-id` (the app). */
  app?: boolean;
}

const errorJson = { 'application/json': { schema: errorEnvelope } };
const tooLarge = { description: 'The body is larger than 16 kB (envelope `code: 413`).', content: errorJson };
const rateLimited = {
  description: 'Rate limited (envelope `code: 429`).',
  headers: z.object({ 'Retry-After': z.string().meta({ description: 'Seconds to wait before trying again.' }) }),
  content: errorJson,
};

function register(registry: OpenAPIRegistry, op: ApiOperation): void {
  registry.registerPath({
    method: op.method,
    path: op.path,
    operationId: op.operationId,
    summary: op.summary,
    description: `${op.description}\n\n${errorNote(op.errors)}`,
    tags: [op.tag],
    ...(op.security ? { security: op.security } : {}),
    parameters: op.app ? [ref(PARAMETERS.appId), ref(PARAMETERS.lang)] : [ref(PARAMETERS.lang)],
    request: {
      ...(op.body ? { body: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.params ? { params: op.params } : {}),
    },
    responses: {
      200: {
        description: 'HTTP 200 always carries the envelope: `code: 200` with `data`, or an error (`ErrorEnvelope`).',
        content: { 'application/json': { schema: z.union([okEnvelope(op.data), errorEnvelope]) } },
      },
      ...(op.body ? { 413: tooLarge } : {}),
      429: rateLimited,
    },
  });
}

const OPERATIONS: ApiOperation[] = [
  {
    method: 'post',
    path: API.gene,
    operationId: 'gene',
    summary: 'Create a QR code',
    description:
      "The browser's first step: `random` goes in the QR, `secret` stays with the browser (also set as the HttpOnly cookie `qrlogin_<random>`, Path `/api/v2/qrcode`). The app is `x-authing-app-id` or `appId`; the page's `Origin` must be one of the app's. `customData` (or Authing's `params`/`customeData`) travels in the QR: at most 512 bytes of JSON, nested at most 8 levels deep.",
    tag: 'Browser',
    data: geneData,
    errors: ['FORBIDDEN'],
    body: named('GeneBody', geneBody),
    app: true,
  },
  {
    method: 'get',
    path: API.check,
    operationId: 'check',
    summary: "Poll a QR code's state",
    description:
      'The polling fallback of the `qr:subscribe` socket event. `ticket` and `scannedUserId` are non-null only at status 2 and only to the holder of the browser secret (`x-qrlogin-secret` or the cookie), or for an app with `insecureObserverTickets`; `userInfo` (apps with `showScannerOnWeb`) only with the secret too.',
    tag: 'Browser',
    data: checkData,
    errors: ['FORBIDDEN', 'QR_NOT_FOUND', 'SECRET_INVALID'],
    query: randomQuery,
    security: [{ [SECURITY.browserSecret]: [] }, {}],
    app: true,
  },
  {
    method: 'post',
    path: API.userinfo,
    operationId: 'userinfo',
    summary: 'Exchange a ticket for the user and an ID token',
    description:
      'With the app secret (server-side exchange), or, where the app allows `allowBrowserExchange`, with the browser secret. A ticket works once; a refused attempt does not use it up. A wrong `Authorization` gets 401 with no fallback to the browser path.',
    tag: 'Browser',
    data: userInfoData,
    errors: ['APP_UNAUTHORIZED', 'FORBIDDEN', 'TICKET_INVALID', 'SECRET_INVALID'],
    body: named('TicketBody', ticketBody),
    security: [{ [SECURITY.appSecret]: [] }, { [SECURITY.browserSecret]: [] }, {}],
    app: true,
  },
  {
    method: 'post',
    path: API.scanned,
    operationId: 'scanned',
    summary: 'The phone scanned a QR code (0 → 1)',
    description: 'What the phone shows before the user approves. Repeated by the same user: the same answer.',
    tag: 'Phone',
    data: scannedData,
    errors: ['NOT_LOGGED_IN', 'QR_NOT_FOUND', 'QR_EXPIRED', 'QR_INVALID_STATE'],
    body: named('RandomBody', randomBody),
    security: phone,
  },
  {
    method: 'post',
    path: API.confirm,
    operationId: 'confirm',
    summary: 'The user approves (1 → 2)',
    description: 'Only by the user who scanned. Apps with number matching need `matchCode`, the number the user picked.',
    tag: 'Phone',
    data: decisionData,
    errors: ['NOT_LOGGED_IN', 'QR_NOT_FOUND', 'QR_EXPIRED', 'QR_INVALID_STATE'],
    body: named('ConfirmBody', confirmBody),
    security: phone,
  },
  {
    method: 'post',
    path: API.cancel,
    operationId: 'cancel',
    summary: 'The user declines (0 or 1 → 3)',
    description: 'By the scanning user once scanned.',
    tag: 'Phone',
    data: decisionData,
    errors: ['NOT_LOGGED_IN', 'QR_NOT_FOUND', 'QR_EXPIRED', 'QR_INVALID_STATE'],
    body: named('RandomBody', randomBody),
    security: phone,
  },
  {
    method: 'post',
    path: API.register,
    operationId: 'register',
    summary: 'Create an account in the built-in directory',
    description: 'Answers the user and its user token. Off when `ALLOW_REGISTRATION` or `BUILTIN_USERS` is off.',
    tag: 'Directory',
    data: sessionData,
    errors: ['USER_EXISTS', 'REGISTRATION_DISABLED', 'BUILTIN_USERS_DISABLED'],
    body: named('RegisterBody', registerBody),
  },
  {
    method: 'post',
    path: API.login,
    operationId: 'login',
    summary: 'Sign in to the built-in directory',
    description: 'Answers the user and the user token the phone sends.',
    tag: 'Directory',
    data: sessionData,
    errors: ['WRONG_CREDENTIALS', 'BUILTIN_USERS_DISABLED'],
    body: named('LoginBody', loginBody),
  },
  {
    method: 'post',
    path: API.logout,
    operationId: 'logout',
    summary: "Revoke the phone's user token",
    description: 'From then on that token gets 2020 everywhere, on every instance. No body.',
    tag: 'Phone',
    data: emptyData,
    errors: ['NOT_LOGGED_IN'],
    security: phone,
  },
  {
    method: 'get',
    path: API.me,
    operationId: 'me',
    summary: "Who the phone's token signs in",
    description: 'A missing, invalid, expired or revoked token gets 2020.',
    tag: 'Phone',
    data: meData,
    errors: ['NOT_LOGGED_IN'],
    security: phone,
  },
  {
    method: 'get',
    path: API.sessions,
    operationId: 'listSessions',
    summary: "The user's signed-in browsers",
    description: 'Newest first.',
    tag: 'Phone',
    data: sessionsData,
    errors: ['NOT_LOGGED_IN'],
    security: phone,
  },
  {
    method: 'delete',
    path: `${API.sessions}/{id}`,
    operationId: 'signOutSession',
    summary: 'Sign a browser out',
    description:
      "Ends that session (and the others of the same browser's OpenID Connect sign-in), telling the websites by back-channel logout. An id that is not one of the user's gets `code: 404`.",
    tag: 'Phone',
    data: signOutData,
    errors: ['NOT_LOGGED_IN', 'NOT_FOUND'],
    params: z.object({ id: z.string().meta({ description: 'A session id from `GET /api/v2/sessions`.' }) }),
    security: phone,
  },
];

/** Registers every `/api/v2/*` operation. */
export function registerApiPaths(registry: OpenAPIRegistry): void {
  for (const op of OPERATIONS) register(registry, op);
}
