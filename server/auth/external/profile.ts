/**
 * @module
 * The company's user as qrlogin shows it: a {@link PublicUser} from the standard claims of an
 * access token or an introspection answer (OpenID Connect Core §5.1). Claims are untrusted
 * input even when signed: only strings are taken, each bounded in length; a picture must be an
 * http(s) URL (it ends up in an `<img src>` of the website).
 */
import type { PublicUser } from '../../../shared/http';

/** OpenID Connect Core §2: a `sub` is at most 255 ASCII characters. */
const MAX_SUB_LENGTH = 255;
/** Names are cut to this many characters; an email, phone or picture this long is dropped. */
export const MAX_CLAIM_LENGTH = 256;
/** A picture URL may be longer than a name (signed CDN URLs). */
const MAX_PICTURE_LENGTH = 2048;

/** A non-empty string of at most `max` characters, or null (a longer one is dropped). */
function bounded(value: unknown, max = MAX_CLAIM_LENGTH): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : null;
}

/** A non-empty string cut to {@link MAX_CLAIM_LENGTH} code points (never half a surrogate pair). */
function name(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  if (value.length <= MAX_CLAIM_LENGTH) return value;
  return Array.from(value).slice(0, MAX_CLAIM_LENGTH).join('');
}

/** An absolute http(s) URL, or null: a `javascript:` or `data:` picture is never passed on. */
function pictureUrl(value: unknown): string | null {
  const text = bounded(value, MAX_PICTURE_LENGTH);
  if (text === null) return null;
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:' ? text : null;
  } catch {
    return null;
  }
}

/** The token's `sub`, when it is one: a non-empty string of at most 255 characters. */
export function subjectOf(claims: Readonly<Record<string, unknown>>): string | null {
  return bounded(claims.sub, MAX_SUB_LENGTH);
}

/**
 * The user the claims describe, or null without a usable `sub`. `id` is the `sub` unchanged;
 * `username` is `preferred_username`, else `email`, else `sub`; `nickname` is `name`, else
 * `nickname`, else the username.
 */
export function profileOf(claims: Readonly<Record<string, unknown>>): PublicUser | null {
  const sub = subjectOf(claims);
  if (sub === null) return null;
  const email = bounded(claims.email);
  const username = name(claims.preferred_username) ?? name(email) ?? sub;
  return {
    id: sub,
    username,
    nickname: name(claims.name) ?? name(claims.nickname) ?? username,
    photo: pictureUrl(claims.picture),
    email,
    phone: bounded(claims.phone_number),
  };
}
