/**
 * @module
 * The answers of the HTTP API as zod schemas (socket-schemas.ts has the Socket.IO ones): the
 * one place the OpenAPI and AsyncAPI documents take them from. Each is tied to its TypeScript
 * type in shared/http.ts by {@link agrees}, so a field added to one and not the other fails `tsc`.
 */
import { z } from 'zod';
import { ERRORS, type ErrorPayload, QR_STATE_REASONS, type QrStateReason } from '../../shared/errors';
import type {
  CheckData,
  DecisionData,
  GeneData,
  MeData,
  PublicUser,
  Requester,
  ScannedData,
  ScannerInfo,
  SessionData,
  SessionsData,
  SignOutData,
  SignedInBrowser,
  UserInfoData,
} from '../../shared/http';
import { QR_STATUS } from '../../shared/status';
import { errorTable } from './error-codes';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * Returns the schema unchanged, if and only if what it parses and `T` are assignable to each
 * other and have the same keys (an optional field missing on either side fails too).
 * @example export const decisionData = agrees<DecisionData>()(named('DecisionData', z.object({ … })));
 */
export function agrees<T>() {
  return <S extends z.ZodType<T>>(
    schema: S & (Same<z.output<S>, T> extends true ? (Same<keyof z.output<S>, keyof T> extends true ? unknown : never) : never),
  ): S => schema;
}

/**
 * Names a schema: wherever it is used, the documents refer to `#/components/schemas/<id>`.
 * (A later `.meta()` would replace the name: give the description here.)
 */
export const named = <S extends z.ZodType>(id: string, schema: S, description?: string): S =>
  schema.meta({ ...schema.meta(), id, ...(description ? { description } : {}) });

/** An ISO 8601 time; `what` is a sentence without its full stop. */
export const isoTime = (what: string) => z.iso.datetime().meta({ description: `${what} (ISO 8601).` });

export const qrStatus = named(
  'QrStatus',
  z.enum(QR_STATUS).meta({
    description: 'QR status: `0` not scanned, `1` scanned, `2` confirmed, `3` cancelled, `-1` expired.',
  }),
);

export const geneData = agrees<GeneData>()(
  named(
    'GeneData',
    z.object({
      random: z.string().meta({ description: 'The QR id (public: it is in the QR).' }),
      secret: z.string().meta({
        description: 'Private to the browser that created the QR, returned only here (also set as the HttpOnly cookie `qrlogin_<random>`).',
      }),
      url: z.string().meta({ description: 'Absolute URL of a PNG of the QR (`/qr.png?random=…`), loadable cross-origin.' }),
      qrcode: z.string().meta({ description: 'The exact text encoded in the QR.' }),
      createdAt: isoTime('When the QR was made'),
      expireAt: isoTime('When the QR expires'),
      expiresIn: z.int().meta({ description: 'Seconds the QR lives.' }),
      matchCode: z.string().optional().meta({ description: 'Apps with number matching: the code the browser shows next to the QR.' }),
    }),
  ),
);

export const scannerInfo = agrees<ScannerInfo>()(
  named(
    'ScannerInfo',
    z.object({ nickname: z.string().optional(), photo: z.string().nullable().optional() }).meta({
      description: 'What the website may learn of the scanner before confirmation: `{}` unless the app enables `showScannerOnWeb`.',
    }),
  ),
);

export const checkData = agrees<CheckData>()(
  named(
    'CheckData',
    z.object({
      random: z.string(),
      status: qrStatus,
      ticket: z.string().nullable().meta({
        description:
          'Non-null only at status 2 and only to the holder of the browser secret (or for an app with `insecureObserverTickets`).',
      }),
      userInfo: scannerInfo,
      scannedUserId: z.string().nullable().meta({ description: "The user's id, only at status 2 and only to the holder of the secret." }),
      expireAt: isoTime('When the QR expires'),
      version: z.int().meta({ description: 'Increases by one on every state change.' }),
    }),
  ),
);

const appRef = z.object({ id: z.string(), name: z.string() });

export const requester = agrees<Requester>()(
  named(
    'Requester',
    z.object({
      ip: z.string(),
      userAgent: z.string(),
      browser: z.string(),
      os: z.string(),
      origin: z.string().nullable(),
    }),
  ),
);

export const scannedData = agrees<ScannedData>()(
  named(
    'ScannedData',
    z.object({
      random: z.string(),
      status: qrStatus,
      app: appRef,
      requester,
      sameNetwork: z.boolean().meta({ description: 'The phone and the browser come from the same public IP (a hint only).' }),
      matchChoices: z.array(z.string()).optional().meta({ description: 'Apps with number matching: three codes to pick from.' }),
      createdAt: isoTime('When the QR was made'),
      expireAt: isoTime('When the QR expires'),
    }),
  ),
);

export const decisionData = agrees<DecisionData>()(z.object({ random: z.string(), status: qrStatus }));

export const publicUser = agrees<PublicUser>()(
  named(
    'PublicUser',
    z.object({
      id: z.string(),
      username: z.string(),
      nickname: z.string(),
      photo: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
    }),
  ),
);

export const meData = agrees<MeData>()(named('MeData', z.object({ user: publicUser })));

export const sessionData = agrees<SessionData>()(
  named(
    'SessionData',
    z.object({
      user: publicUser,
      token: z.string().meta({ description: 'The user token the phone sends as `Authorization: Bearer <token>`.' }),
      tokenExpiredAt: isoTime('When the user token expires'),
    }),
  ),
);

export const userInfoData = agrees<UserInfoData>()(
  named(
    'UserInfoData',
    publicUser.extend({
      token: z.string().meta({ description: 'A signed ID token (JWT), verifiable with `/.well-known/jwks.json`.' }),
      tokenExpiredAt: isoTime('When the ID token expires'),
    }),
  ),
);

export const signedInBrowser = agrees<SignedInBrowser>()(
  named(
    'SignedInBrowser',
    z.object({
      id: z.string().meta({ description: 'The session id: the `sid` of the ID tokens issued for this sign-in.' }),
      app: appRef,
      browser: z.string(),
      os: z.string(),
      ip: z.string(),
      createdAt: isoTime('When the login was taken'),
    }),
  ),
);

export const sessionsData = agrees<SessionsData>()(named('SessionsData', z.object({ sessions: z.array(signedInBrowser) })));

export const signOutData = agrees<SignOutData>()(
  named('SignOutData', z.object({ signedOut: z.array(z.string()).meta({ description: 'Every session that ended with it.' }) })),
);

/** `logout` answers an empty object. */
export const emptyData = z.object({}).strict();

/** The Authing-compatible envelope of every `/api/v2/*` answer. */
export const envelope = named(
  'Envelope',
  z.object({
    code: z.int().meta({ description: '`200` on success, else an error code (see `ErrorEnvelope`).' }),
    message: z.string().meta({ description: 'Human-readable; English, or Chinese with `x-authing-lang: zh-CN`.' }),
    data: z.union([z.null(), z.object({}).loose()]),
  }),
  'Every `/api/v2/*` answer: HTTP 200 with `{code, message, data}`; `code: 200` is success. ' +
    'Business errors keep HTTP 200 and set `code` (see `ErrorEnvelope`), except 413 and 429, which keep their HTTP status too.',
);

/** A success envelope carrying `data`: the {@link envelope} with `code: 200`. */
export function okEnvelope<T extends z.ZodType>(data: T) {
  return z.intersection(envelope, z.object({ code: z.literal(200), message: z.string(), data }));
}

export const qrStateReason = named(
  'QrStateReason',
  z.enum(Object.keys(QR_STATE_REASONS) as [QrStateReason, ...QrStateReason[]]).meta({
    description: `Why a phone action was refused with 2243: ${Object.entries(QR_STATE_REASONS)
      .map(([key, text]) => `\`${key}\` (${text})`)
      .join(', ')}.`,
  }),
);

/** Every code of shared/errors.ts `ERRORS`. */
export const errorCode = named(
  'ErrorCode',
  z.enum(Object.fromEntries(Object.entries(ERRORS).map(([key, entry]) => [key, entry.code]))).meta({
    description: 'An error code (the table of them all is in `ErrorEnvelope`).',
  }),
);

/** The error half of an envelope or an ack (shared/errors.ts `ErrorPayload`). */
export const errorPayload = named(
  'ErrorPayload',
  z.object({ code: errorCode, message: z.string(), reason: qrStateReason.optional() }),
) satisfies z.ZodType<ErrorPayload & { reason?: QrStateReason }>;

export const errorEnvelope = named(
  'ErrorEnvelope',
  z.intersection(
    envelope,
    z.object({
      code: errorCode,
      message: z.string(),
      data: z.union([z.null(), z.object({ reason: qrStateReason })]).meta({
        description: '`null`, except for 2243, where `{reason}` says why.',
      }),
    }),
  ),
  `An error answer: \`code\` is one of these.\n\n${errorTable()}`,
);
