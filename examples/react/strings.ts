/**
 * @module
 * The example shop's own texts, in English and Simplified Chinese (the widget's are the SDK's).
 */
import type { Lang } from '@qrlogin/react';

export interface ShopStrings {
  title: string;
  intro: string;
  open: string;
  close: string;
  /** `{name}`: the user's nickname. */
  signedInAs: string;
  signOut: string;
  /** The backend did not accept the sign-in. */
  signInFailed: string;
}

const STRINGS: Record<Lang, ShopStrings> = {
  en: {
    title: 'Example Shop',
    intro: 'Sign in by scanning the QR code with the app on your phone.',
    open: 'Sign in with a QR code',
    close: 'Close',
    signedInAs: 'Signed in as {name}',
    signOut: 'Sign out',
    signInFailed: 'We could not sign you in. Please scan a new code.',
  },
  'zh-CN': {
    title: '示例商店',
    intro: '请使用手机 App 扫描二维码登录。',
    open: '扫码登录',
    close: '关闭',
    signedInAs: '已登录：{name}',
    signOut: '退出登录',
    signInFailed: '登录未成功，请重新扫码。',
  },
};

/** `?lang=zh-CN`, else the browser's language (Chinese or English). */
export function pageLang(): Lang {
  const asked = new URLSearchParams(location.search).get('lang') ?? navigator.language;
  return asked.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function shopStrings(lang: Lang): ShopStrings {
  return STRINGS[lang];
}
