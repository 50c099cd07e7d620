/**
 * @module
 * What the OpenID Connect pages (login-page.ts, error-page.ts) share: text made safe for HTML,
 * and the language a page speaks.
 */
import type { Lang } from '../../shared/errors';

/** `text` with the five HTML-significant characters escaped (for element text and attribute values). */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** `ui_locales` of the request (OIDC Core §3.1.2.1), else `Accept-Language`: Chinese or English. */
export function pageLang(uiLocales: unknown, acceptLanguage: string | undefined): Lang {
  const asked = typeof uiLocales === 'string' && uiLocales.trim() ? uiLocales : (acceptLanguage ?? '');
  const first = asked.split(/[\s,]+/)[0] ?? '';
  return /^zh\b/i.test(first) ? 'zh-CN' : 'en';
}
