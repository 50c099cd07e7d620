/**
 * @module
 * The app registry's source: `APPS_FILE` (a JSON file) or `APPS` (the same JSON inline).
 * Pure: it parses text it is given. App secrets are stored hashed: give `secretSha256`
 * (base64url SHA-256 of the secret, e.g. `node -e "…createHash('sha256')…"`, see the README)
 * or, for development, `secret`, which is hashed at load and never kept. A public OpenID
 * Connect client (`publicClient: true`: PKCE and no secret at the token endpoint) may have none.
 *
 * ```json
 * { "apps": [{ "id": "shop", "name": "Example Shop", "secretSha256": "…",
 *              "origins": ["https://shop.example"], "numberMatching": true,
 *              "redirectUris": ["https://shop.example/oidc/callback"] }] }
 * ```
 */
import { z } from 'zod';
import type { Reader } from './reader';
import { type AppConfig, isOriginPattern, nativeUriProblem, oidcApplicationType, redirectUriProblem } from '../domain/app';
import { newSecret, sha256 } from '../domain/secrets';
import { WEBHOOK_EVENT_TYPES, webhookSecretProblem, webhookUrlProblem } from '../domain/webhooks';

/** At most this many URIs in `redirectUris` and in `postLogoutRedirectUris`. */
export const MAX_REDIRECT_URIS = 20;

/** A URI the OIDC provider compares exactly (see `redirectUriProblem`); never quoted back. */
const uriSchema = (only: 'any' | 'web') =>
  z
    .string()
    .max(2048, 'at most 2048 characters')
    .superRefine((uri, ctx) => {
      const problem = redirectUriProblem(uri, only);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const uriListSchema = z
  .array(uriSchema('any'))
  .max(MAX_REDIRECT_URIS, `at most ${MAX_REDIRECT_URIS} URIs`)
  .superRefine((uris, ctx) => {
    uris.forEach((uri, index) => {
      const first = uris.indexOf(uri);
      if (first < index) ctx.addIssue({ code: 'custom', path: [index], message: `the same URI as entry ${first}` });
    });
  })
  .default([]);

/** A string checked by `problem` (which never quotes it: a secret's problem is never echoed). */
const checkedString = (max: number, problem: (value: string) => string | null) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .superRefine((value, ctx) => {
      const found = problem(value);
      if (found) ctx.addIssue({ code: 'custom', message: found });
    });

/** What an app entry may say; omitted options take the defaults below. */
const appSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64'),
    name: z.string().min(1).max(100),
    secret: z.string().min(16, 'at least 16 characters').max(512).optional(),
    secretSha256: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'the base64url SHA-256 of the secret (43 characters)')
      .optional(),
    origins: z
      .array(
        z
          .string()
          .refine(isOriginPattern, 'an origin like https://shop.example or http://localhost:* (scheme, host, optional port; no path)'),
      )
      .max(100),
    bindTicketToBrowser: z.boolean().optional(),
    /** The explicit name of `bindTicketToBrowser: false`, required for it in production. */
    insecureObserverTickets: z.boolean().default(false),
    allowBrowserExchange: z.boolean().default(false),
    showScannerOnWeb: z.boolean().default(false),
    qrTtl: z.number().int().min(10).max(3600).optional(),
    ticketTtl: z.number().int().min(5).max(3600).optional(),
    numberMatching: z.boolean().default(false),
    redirectUris: uriListSchema,
    postLogoutRedirectUris: uriListSchema,
    /** A widget sign-in (as well as an OIDC one) the phone ends is told there too. */
    backchannelLogoutUri: uriSchema('web').optional(),
    /** An OIDC client without a secret at the token endpoint (a single-page or native app): PKCE only. */
    publicClient: z.boolean().default(false),
    /** Standard Webhooks (server/webhooks): the endpoint, its `whsec_` secret, the types sent. */
    webhookUrl: checkedString(2048, webhookUrlProblem).optional(),
    webhookSecret: checkedString(200, webhookSecretProblem).optional(),
    webhookEvents: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .min(1, 'at least one event type (leave webhookEvents out for all of them)')
      .refine((types) => new Set(types).size === types.length, 'an event type is listed twice')
      .optional(),
    webhookAllowPrivate: z.boolean().default(false),
  })
  .strict()
  .superRefine((app, ctx) => {
    if (app.webhookUrl !== undefined && app.webhookSecret === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['webhookSecret'],
        message: 'required with webhookUrl (whsec_ and the base64 of 24 to 64 random bytes)',
      });
    for (const field of ['webhookSecret', 'webhookEvents'] as const) {
      if (app.webhookUrl === undefined && app[field] !== undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'needs webhookUrl' });
    }
    if (app.webhookUrl === undefined && app.webhookAllowPrivate)
      ctx.addIssue({ code: 'custom', path: ['webhookAllowPrivate'], message: 'needs webhookUrl' });
  })
  .superRefine((app, ctx) => {
    // Only an OIDC client (an app with redirectUris) signs in and out through the provider.
    const client = 'needs redirectUris: only an OpenID Connect client (an app with redirectUris)';
    if (app.redirectUris.length === 0 && app.postLogoutRedirectUris.length > 0)
      ctx.addIssue({ code: 'custom', path: ['postLogoutRedirectUris'], message: `${client} has a logout to return from` });
    if (app.redirectUris.length === 0 && app.publicClient)
      ctx.addIssue({ code: 'custom', path: ['publicClient'], message: `${client} can be public (PKCE, no secret at its token endpoint)` });
    if (oidcApplicationType(app) !== 'native') return;
    for (const field of ['redirectUris', 'postLogoutRedirectUris'] as const) {
      app[field].forEach((uri, index) => {
        const problem = nativeUriProblem(uri);
        if (problem) ctx.addIssue({ code: 'custom', path: [field, index], message: problem });
      });
    }
  })
  .refine((app) => app.publicClient || (app.secret === undefined) !== (app.secretSha256 === undefined), {
    message: 'give exactly one of secret or secretSha256 (only a publicClient may have none)',
  })
  .refine((app) => !(app.publicClient && app.secret !== undefined && app.secretSha256 !== undefined), {
    message: 'give at most one of secret or secretSha256 (a publicClient needs none; one given is for ticket exchange only)',
  })
  .refine((app) => !(app.insecureObserverTickets && app.bindTicketToBrowser === true), {
    message: 'insecureObserverTickets: true contradicts bindTicketToBrowser: true',
  });

const listSchema = z.array(appSchema).max(1000);
const fileSchema = z.object({ apps: listSchema, defaultApp: z.string().optional() }).strict();

/** An app as configured: lifetimes left undefined take the service-wide defaults. */
export type ParsedApp = Omit<AppConfig, 'qrTtlSeconds' | 'ticketTtlSeconds'> & {
  qrTtlSeconds: number | undefined;
  ticketTtlSeconds: number | undefined;
};

export interface ParsedApps {
  apps: ParsedApp[];
  defaultAppId: string | undefined;
  /** Plain `secret`s in use (ids), to warn about. */
  plainSecrets: string[];
  /**
   * Apps whose tickets do not need the browser secret (anyone who saw the QR can collect the
   * login), and whether the entry says so by the explicit name `insecureObserverTickets`.
   */
  observerTickets: { id: string; explicit: boolean }[];
}

/**
 * Parses the apps JSON. `source` names it in problems (`APPS_FILE /etc/qrlogin/apps.json`).
 * Returns problems instead of throwing, so the config loader reports everything at once;
 * a problem never quotes a secret.
 */
export function parseApps(text: string, source: string): { value: ParsedApps | null; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { value: null, problems: [`${source}: not valid JSON (${error instanceof SyntaxError ? error.message : 'unreadable'})`] };
  }
  // A bare array is the list of apps; otherwise `{apps, defaultApp}`.
  const result = Array.isArray(json) ? listSchema.safeParse(json) : fileSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${source}: ${appNamed(json, issue.path)}${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
    );
    return { value: null, problems: [...new Set(problems)] };
  }
  const entries = Array.isArray(result.data) ? result.data : result.data.apps;
  const defaultAppId = Array.isArray(result.data) ? undefined : result.data.defaultApp;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const app of entries) {
    if (seen.has(app.id)) problems.push(`${source}: app id "${app.id}" appears twice`);
    seen.add(app.id);
  }
  if (defaultAppId !== undefined && !seen.has(defaultAppId))
    problems.push(`${source}: defaultApp "${defaultAppId}" is not one of the apps`);
  const apps = entries.map((app): ParsedApp => ({
    id: app.id,
    name: app.name,
    // A public client without a secret: the hash of a random secret thrown away, which no
    // secret matches (its tickets are exchanged by the browser or by the OIDC login page).
    secretHash: app.secretSha256 ?? sha256(app.secret ?? newSecret()),
    origins: Object.freeze([...app.origins]),
    bindTicketToBrowser: !app.insecureObserverTickets && app.bindTicketToBrowser !== false,
    allowBrowserExchange: app.allowBrowserExchange,
    showScannerOnWeb: app.showScannerOnWeb,
    qrTtlSeconds: app.qrTtl,
    ticketTtlSeconds: app.ticketTtl,
    numberMatching: app.numberMatching,
    redirectUris: Object.freeze([...app.redirectUris]),
    postLogoutRedirectUris: Object.freeze([...app.postLogoutRedirectUris]),
    ...(app.backchannelLogoutUri === undefined ? {} : { backchannelLogoutUri: app.backchannelLogoutUri }),
    ...(app.publicClient ? { publicClient: true } : {}),
    ...(app.webhookUrl === undefined || app.webhookSecret === undefined
      ? {}
      : {
          webhookUrl: app.webhookUrl,
          webhookSecret: app.webhookSecret,
          ...(app.webhookEvents ? { webhookEvents: Object.freeze([...app.webhookEvents]) } : {}),
          ...(app.webhookAllowPrivate ? { webhookAllowPrivate: true } : {}),
        }),
  }));
  const plainSecrets = entries.filter((app) => app.secret !== undefined).map((app) => app.id);
  const observerTickets = entries
    .filter((app) => app.insecureObserverTickets || app.bindTicketToBrowser === false)
    .map((app) => ({ id: app.id, explicit: app.insecureObserverTickets }));
  return { value: problems.length > 0 ? null : { apps, defaultAppId, plainSecrets, observerTickets }, problems };
}

/**
 * `app "shop": ` when a problem's path is inside an app entry whose id is readable (the index
 * alone is hard to find in a long file); nothing otherwise. Only a well-formed id is quoted.
 */
function appNamed(json: unknown, path: readonly PropertyKey[]): string {
  const list = Array.isArray(json) ? json : (json as { apps?: unknown } | null)?.apps;
  const index = Array.isArray(json) ? path[0] : path[0] === 'apps' ? path[1] : undefined;
  if (!Array.isArray(list) || typeof index !== 'number') return '';
  const id: unknown = (list[index] as { id?: unknown } | null)?.id;
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? `app "${id}": ` : '';
}

/**
 * The apps of `APPS_FILE` (read with `readText`) or `APPS`, or null when neither is set.
 * Problems and warnings (plain secrets, the `null` origin) are pushed, never thrown.
 */
export function readApps(read: Reader, readText: (path: string) => string, problems: string[], warnings: string[]): ParsedApps | null {
  const appsFile = read.raw('APPS_FILE');
  const appsInline = read.raw('APPS');
  let appsText: { text: string; source: string } | null = null;
  if (appsFile && appsInline) problems.push('set APPS_FILE or APPS, not both');
  else if (appsFile) {
    try {
      appsText = { text: readText(appsFile), source: `APPS_FILE ${appsFile}` };
    } catch (error) {
      problems.push(`APPS_FILE ${appsFile}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (appsInline) appsText = { text: appsInline, source: 'APPS' };
  if (!appsText) return null;
  const configured = parseApps(appsText.text, appsText.source);
  problems.push(...configured.problems);
  for (const id of configured.value?.plainSecrets ?? []) {
    warnings.push(`app "${id}" has a plain secret in its configuration; give secretSha256 instead`);
  }
  for (const app of configured.value?.apps ?? []) {
    if (app.origins.includes('null')) {
      warnings.push(
        `app "${app.id}" lists the origin "null": any website can make a page with that origin (a sandboxed iframe), so every website may use this app`,
      );
    }
  }
  return configured.value;
}
