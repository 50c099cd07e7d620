/**
 * @module
 * The demo phone page's language: `?lang=zh-CN` or `?lang=en` in the address when given,
 * else the first of the browser's preferred languages that the page speaks (any `zh-*` is
 * Simplified Chinese), else English. The static texts of mobile.html carry `data-i18n="key"`
 * and are replaced once at load.
 */
import type { Lang } from '../../mobile/index';
import { PHONE_STRINGS, type PhoneStringKey, type PhoneStrings } from './strings';

/** The page's language from the address's query and the browser's preferences. */
export function pickLang(search: string, preferred: readonly string[]): Lang {
  const asked = new URLSearchParams(search).get('lang')?.toLowerCase();
  for (const tag of [...(asked ? [asked] : []), ...preferred.map((language) => language.toLowerCase())]) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

function isKey(key: string, strings: PhoneStrings): key is PhoneStringKey {
  return Object.prototype.hasOwnProperty.call(strings, key);
}

/** Puts the page in `lang`: `<html lang>`, the title and every `data-i18n` text. */
export function localizePage(lang: Lang): PhoneStrings {
  const strings = PHONE_STRINGS[lang];
  document.documentElement.lang = lang;
  document.title = strings.title;
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = element.dataset.i18n ?? '';
    if (isKey(key, strings)) element.textContent = strings[key];
  }
  return strings;
}
