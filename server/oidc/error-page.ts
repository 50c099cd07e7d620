/**
 * @module
 * The page oidc-provider shows when it cannot send an error back to the client (an unknown
 * client, a `redirect_uri` that is not registered: never redirected to): a sentence for the
 * person, in English or Chinese (`Accept-Language`), and the OAuth error for the developer.
 * Nothing of the request is echoed unescaped, and no secret is in an OAuth error.
 */
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml, pageLang } from './html';

const TEXT = {
  en: {
    title: 'Sign-in could not start',
    body: 'This sign-in link is not valid. Go back to the website and try again.',
    details: 'Details for the website’s developer',
  },
  'zh-CN': {
    title: '无法开始登录',
    body: '此登录链接无效。请返回网站后重试。',
    details: '供网站开发者参考的详情',
  },
} as const;

export function renderOidcError(ctx: KoaContextWithOIDC, out: ErrorOut): void {
  const lang = pageLang(ctx.oidc?.params?.ui_locales, ctx.get('accept-language'));
  const text = TEXT[lang];
  const developer = [out.error, out.error_description].filter(Boolean).join(': ');
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text.title}</title><link rel="stylesheet" href="/oidc/login.css"></head>
<body><main class="oidc-login"><section role="alert"><h1>${text.title}</h1><p>${text.body}</p>
<details><summary>${text.details}</summary><p><code id="oidc-error">${escapeHtml(developer)}</code></p></details></section></main></body></html>`;
}
