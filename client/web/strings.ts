/**
 * @module
 * Every string the scanning widget shows, in English and Simplified Chinese. Pass
 * `tips` to `startScanning` to override any of them.
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
