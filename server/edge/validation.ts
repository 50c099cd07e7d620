/**
 * @module
 * Request schemas (zod) and `parse()`, which turns the first problem into an
 * `INVALID_REQUEST` whose message names the field: `random must be a string`.
 * zod is used because it gives typed results and precise paths for free.
 */
import { z } from 'zod';
import { AppError } from '../errors';

const plainObject = z.record(z.string(), z.unknown());

/** customData travels inside the QR: kept small so the code stays easy to scan. */
const MAX_CUSTOM_DATA_JSON = 512;
/** Objects and arrays inside customData, counting itself: deeper JSON is refused unread. */
export const MAX_CUSTOM_DATA_DEPTH = 8;

/**
 * Whether `value` nests objects and arrays at most `max` deep. Iterative, so a body nested
 * thousands deep inside the size limit is measured without recursion (where `JSON.stringify`
 * would throw `RangeError`) and given up on at the first level too many.
 */
export function nestedAtMost(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    if (depth > max) return false;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return true;
}

const customData = plainObject.superRefine((value, ctx) => {
  if (!nestedAtMost(value, MAX_CUSTOM_DATA_DEPTH)) {
    ctx.addIssue({ code: 'custom', message: `must be nested at most ${MAX_CUSTOM_DATA_DEPTH} levels deep` });
  } else if (JSON.stringify(value).length > MAX_CUSTOM_DATA_JSON) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_CUSTOM_DATA_JSON} bytes of JSON` });
  }
});

/** `gene` accepts Authing's spellings of customData: customData, params, customeData. */
export const geneBody = z.looseObject({
  scene: z.literal('APP_AUTH').optional(),
  appId: z.string().max(128).optional(),
  customData: customData.optional(),
  params: customData.nullish(),
  customeData: customData.optional(),
  /** Authing's pipeline context: accepted for compatibility, never kept or read. */
  context: plainObject.nullish(),
});

export const randomBody = z.looseObject({ random: z.string() });
/** `matchCode`: the number the user picked, for apps with number matching. */
export const confirmBody = z.looseObject({ random: z.string(), matchCode: z.string().max(8).optional() });
export const randomQuery = z.looseObject({ random: z.string() });
export const ticketBody = z.looseObject({ ticket: z.string() });

export const registerBody = z.looseObject({
  username: z
    .string()
    .min(3)
    .max(64)
    .regex(/^[A-Za-z0-9._@-]+$/, 'may contain only letters, digits and . _ @ -'),
  password: z.string().min(8).max(256),
  nickname: z.string().max(64).optional(),
  photo: z
    .string()
    .max(2048)
    .regex(/^https?:\/\//, 'must be an http(s) URL')
    .optional(),
});

export const loginBody = z.looseObject({
  username: z.string().max(64),
  password: z.string().max(256),
});

export const createPayload = z.looseObject({
  appId: z.string().max(128).optional(),
  customData: customData.optional(),
});
export const subscribePayload = z.looseObject({ random: z.string(), secret: z.string() });
export const unsubscribePayload = z.looseObject({ random: z.string() });

const ARTICLE: Record<string, string> = { object: 'an object', array: 'an array', string: 'a string', number: 'a number' };

function describe(issue: z.core.$ZodIssue, input: unknown): string {
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
  let value: unknown = input;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `${field} is required`;
      return `${field} must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `${field} must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'too_small':
      return `${field} is too short (at least ${issue.minimum})`;
    case 'too_big':
      return `${field} is too long (at most ${issue.maximum})`;
    default:
      return `${field} ${issue.message}`;
  }
}

/** Validates `input`; the body of a request without JSON counts as `{}`. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new AppError('INVALID_REQUEST', { detail: issue ? describe(issue, input ?? {}) : 'invalid' });
}
