/**
 * @module
 * Every string the scanning widget shows, in English and Simplified Chinese. Pass
 * `tips` to `startScanning` to override any of them. A failure shows `error` or `failed`
 * followed by the reason for its envelope code ({@link ERROR_REASONS}) — a sentence for
 * people, never the server's text; the callbacks (`onError`, `onCodeLoadFailed`) still get
 * the server's message, for developers.
 */
import type { Lang } from '../../shared';

/** The widget's texts; `tips` in the options may override any subset. */
export interface ScanTips {
  /** While the QR code is being created. */
  loading: string;
  /** QR shown, nobody has scanned it. */
  pending: string;
  /** Scanned on a phone, waiting for the user's decision. */
  scanned: string;
  /** Approved on the phone; the SDK is exchanging the ticket. */
  confirmed: string;
  /** Approved and the user's info was received. */
  success: string;
  /** Denied on the phone. */
  cancelled: string;
  /** The QR code expired before a decision. */
  expired: string;
  /** The QR code could not be created. */
  error: string;
  /** After `error`: the server refuses this page's origin (`{origin}`) for the app. */
  originRefused: string;
  /** Signing in failed after approval (e.g. the ticket exchange failed). */
  failed: string;
  /** Label of the button that makes a new QR code after cancel/expiry. */
  refresh: string;
  /** Label of the button that tries again after an error. */
  retry: string;
  /** Accessible name of the QR image. */
  qrLabel: string;
  /** Number matching: `{code}` is the number the user must pick on the phone. */
  matchCode: string;
  /** Under an open QR: `{time}` is the time left (m:ss). */
  timeLeft: string;
}

export const STRINGS: Readonly<Record<Lang, Readonly<ScanTips>>> = {
  en: {
    loading: 'Loading QR code…',
    pending: 'Scan with the app on your phone to sign in',
    scanned: 'Scanned — confirm on your phone',
    confirmed: 'Approved — signing you in…',
    success: 'Signed in',
    cancelled: 'Sign-in was denied on the phone',
    expired: 'QR code expired',
    error: 'Could not load the QR code',
    originRefused: 'this website ({origin}) is not allowed to use this sign-in; its owner must add it to the app’s allowed origins',
    failed: 'Could not sign you in',
    refresh: 'Refresh QR code',
    retry: 'Try again',
    qrLabel: 'QR code: scan it with the app on your phone to sign in',
    matchCode: 'Then pick {code} on your phone',
    timeLeft: '{time} left',
  },
  'zh-CN': {
    loading: '二维码加载中…',
    pending: '请使用手机 App 扫码登录',
    scanned: '扫码成功，请在手机上确认',
    confirmed: '已确认，正在登录…',
    success: '登录成功',
    cancelled: '已在手机上取消登录',
    expired: '二维码已过期',
    error: '二维码加载失败',
    originRefused: '此网站（{origin}）未被允许使用该登录方式，请网站所有者将其加入应用的允许来源',
    failed: '登录失败',
    refresh: '刷新二维码',
    retry: '重试',
    qrLabel: '登录二维码：请使用手机 App 扫码登录',
    matchCode: '然后在手机上选择 {code}',
    timeLeft: '剩余 {time}',
  },
};

/** The reasons a widget can give after `error` / `failed`. */
export type ErrorReason =
  | 'network'
  | 'invalid'
  | 'appCredential'
  | 'forbidden'
  | 'rateLimited'
  | 'server'
  | 'unavailable'
  | 'qrGone'
  | 'qrExpired'
  | 'qrState'
  | 'ticket'
  | 'secret'
  | 'unknown';

/** The reason for each envelope code the widget can meet (`0`: no answer); others are `unknown`. */
export const ERROR_REASON_KEYS: Readonly<Record<number, ErrorReason>> = {
  0: 'network',
  400: 'invalid',
  401: 'appCredential',
  403: 'forbidden',
  413: 'invalid',
  429: 'rateLimited',
  500: 'server',
  503: 'unavailable',
  2241: 'qrGone',
  2242: 'qrExpired',
  2243: 'qrState',
  2244: 'ticket',
  2245: 'secret',
};

/** The reasons, as clauses that follow "Could not load the QR code: " / "Could not sign you in: ". */
export const ERROR_REASONS: Readonly<Record<Lang, Readonly<Record<ErrorReason, string>>>> = {
  en: {
    network: 'the sign-in server could not be reached. Check your connection and try again.',
    invalid: 'the sign-in server did not accept the request. Try again; if it keeps happening, tell the website’s owner.',
    appCredential: 'this website is not set up to finish the sign-in in the browser. Tell the website’s owner.',
    forbidden: 'this website may not use this sign-in. Tell the website’s owner.',
    rateLimited: 'too many attempts. Wait a moment, then try again.',
    server: 'something went wrong on the sign-in server. Try again in a moment.',
    unavailable: 'the sign-in service is not available right now. Try again in a moment.',
    qrGone: 'this QR code is not valid any more. Get a new one and scan again.',
    qrExpired: 'this QR code has expired. Get a new one and scan again.',
    qrState: 'the sign-in could not be completed. Get a new QR code and scan again.',
    ticket: 'the sign-in took too long or was already used. Get a new QR code and scan again.',
    secret: 'this browser could not be matched to the QR code. Get a new one and scan again.',
    unknown: 'something went wrong. Try again.',
  },
  'zh-CN': {
    network: '无法连接登录服务器，请检查网络后重试。',
    invalid: '登录服务器未接受此请求。请重试；如果一直出现，请告知网站所有者。',
    appCredential: '此网站未配置在浏览器中完成登录，请告知网站所有者。',
    forbidden: '此网站不能使用该登录方式，请告知网站所有者。',
    rateLimited: '尝试次数过多，请稍等片刻再试。',
    server: '登录服务器出错了，请稍后重试。',
    unavailable: '登录服务暂时不可用，请稍后重试。',
    qrGone: '此二维码已失效，请获取新的二维码后重新扫描。',
    qrExpired: '此二维码已过期，请获取新的二维码后重新扫描。',
    qrState: '无法完成登录，请获取新的二维码后重新扫描。',
    ticket: '登录耗时过长或已被使用，请获取新的二维码后重新扫描。',
    secret: '无法将此浏览器与该二维码对应，请获取新的二维码后重新扫描。',
    unknown: '出错了，请重试。',
  },
};

/** The reason for a failure's envelope code, in `lang` (unknown languages: English). */
export function errorReason(code: number, lang: Lang | undefined): string {
  const reasons = (lang && ERROR_REASONS[lang]) || ERROR_REASONS.en;
  return reasons[ERROR_REASON_KEYS[code] ?? 'unknown'];
}

/** The strings for `lang` with `tips` laid over them (unknown languages fall back to English). */
export function resolveStrings(lang: Lang | undefined, tips?: Partial<ScanTips>): ScanTips {
  const base = (lang && STRINGS[lang]) || STRINGS.en;
  const merged: ScanTips = { ...base };
  for (const key of Object.keys(merged) as (keyof ScanTips)[]) {
    const override = tips?.[key];
    if (typeof override === 'string') merged[key] = override;
  }
  return merged;
}
