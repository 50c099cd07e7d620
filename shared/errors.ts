/**
 * @module
 * The closed vocabulary of errors on the wire: stable numeric codes (PROTOCOL §2) with an
 * English and a Chinese message each. The server, both SDKs and the README share this table;
 * a unit test keeps the README in step with it.
 */

export const ERRORS = {
  INVALID_REQUEST: { code: 400, en: 'Invalid request', zh: '请求参数错误' },
  APP_UNAUTHORIZED: { code: 401, en: 'App credential missing or wrong', zh: '应用凭证缺失或错误' },
  FORBIDDEN: { code: 403, en: 'Origin or app not allowed', zh: '不允许的来源或应用' },
  NOT_FOUND: { code: 404, en: 'Not found', zh: '未找到' },
  PAYLOAD_TOO_LARGE: { code: 413, en: 'Request body too large', zh: '请求体过大' },
  RATE_LIMITED: { code: 429, en: 'Too many requests, slow down', zh: '请求过于频繁，请稍后再试' },
  INTERNAL: { code: 500, en: 'Internal error', zh: '服务器内部错误' },
  UNAVAILABLE: {
    code: 503,
    en: 'Service temporarily unavailable, try again',
    zh: '服务暂时不可用，请重试',
  },
  NOT_LOGGED_IN: {
    code: 2020,
    en: 'User not logged in, or the user token is invalid or expired',
    zh: '用户未登录或登录凭证无效',
  },
  USER_EXISTS: { code: 2026, en: 'Username already taken', zh: '用户名已存在' },
  REGISTRATION_DISABLED: { code: 2027, en: 'Registration is disabled', zh: '注册已关闭' },
  BUILTIN_USERS_DISABLED: {
    code: 2028,
    en: 'Accounts of this server are turned off: sign in with your company’s app',
    zh: '此服务器的内置账号已关闭，请使用贵公司的应用登录',
  },
  WRONG_CREDENTIALS: { code: 2333, en: 'Wrong username or password', zh: '用户名或密码错误' },
  QR_NOT_FOUND: { code: 2241, en: 'QR code does not exist', zh: '二维码不存在' },
  QR_EXPIRED: { code: 2242, en: 'QR code expired', zh: '二维码已过期' },
  QR_INVALID_STATE: {
    code: 2243,
    en: 'Action not allowed in the QR code’s current state',
    zh: '二维码当前状态不允许此操作',
  },
  TICKET_INVALID: {
    code: 2244,
    en: 'Ticket invalid, expired or already used',
    zh: 'ticket 无效、已过期或已使用',
  },
  SECRET_INVALID: { code: 2245, en: 'Browser secret missing or wrong', zh: '浏览器密钥缺失或错误' },
} as const satisfies Record<string, { code: number; en: string; zh: string }>;

/** The name of an error in {@link ERRORS}. */
export type ErrorKey = keyof typeof ERRORS;

/**
 * The detail of the 403 for a page origin an app does not list (details are never translated):
 * the web SDK tells it from an unknown app id by it.
 */
export const ORIGIN_REFUSED_DETAIL = 'origin not allowed for this app';

/**
 * Why a phone action was refused with 2243 (`QR_INVALID_STATE`), machine-readable: the error
 * envelope's `data.reason` (and the mobile SDK's `QrLoginError.reason`), so an app words each
 * case itself. The values are the English details appended to the message.
 */
export const QR_STATE_REASONS = {
  not_scanned: 'not scanned yet',
  scanned_by_another_user: 'scanned by another user',
  already_confirmed: 'already confirmed',
  already_cancelled: 'already cancelled',
  match_required: 'pick the number shown on the other screen',
  wrong_match: 'wrong number; the QR code is cancelled',
} as const;

/** A key of {@link QR_STATE_REASONS}. */
export type QrStateReason = keyof typeof QR_STATE_REASONS;

/** Whether a value is one of {@link QR_STATE_REASONS}' keys. */
export function isQrStateReason(value: unknown): value is QrStateReason {
  return typeof value === 'string' && Object.hasOwn(QR_STATE_REASONS, value);
}

/** A numeric code that can appear in an envelope or an ack. */
export type ErrorCode = (typeof ERRORS)[ErrorKey]['code'];

/** Languages the messages come in. */
export type Lang = 'en' | 'zh-CN';

/** The error half of an envelope or an ack. `message` is safe to show to a person. */
export interface ErrorPayload {
  code: number;
  message: string;
}

/** Every code {@link ERRORS} defines, once each, ascending. */
export function errorCodes(): number[] {
  return [...new Set(Object.values(ERRORS).map((e) => e.code))].sort((a, b) => a - b);
}

/**
 * The message for an error in a language; `detail` (English, never a credential) is appended,
 * e.g. the name of the field that failed validation.
 */
export function errorMessage(key: ErrorKey, lang: Lang = 'en', detail?: string): string {
  const entry = ERRORS[key];
  const base = lang === 'zh-CN' ? entry.zh : entry.en;
  return detail ? `${base}: ${detail}` : base;
}
