/**
 * @module
 * The provider's two sign-out pages (RP-initiated logout), in English or Chinese (`ui_locales`,
 * else `Accept-Language`), styled like the login page:
 * - the confirmation a website's end-session request shows: sign out of every website this
 *   browser signed in to through qrlogin (`logout=yes`: the provider session ends), or of the
 *   asking website only (its authorization ends, the others stay);
 * - the page after a sign-out that names no `post_logout_redirect_uri`.
 * oidc-provider gives the form (its action and `xsrf`); the names are escaped.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml, pageLang } from './html';

const TEXT = {
  en: {
    confirmTitle: 'Sign out?',
    asks: (app: string) => `${app} is signing you out.`,
    everywhere: 'Sign out of every website in this browser',
    only: (app: string) => `Sign out of ${app} only`,
    doneTitle: 'You are signed out',
    done: 'You can close this page.',
  },
  'zh-CN': {
    confirmTitle: '退出登录？',
    asks: (app: string) => `${app} 正在为你退出登录。`,
    everywhere: '退出此浏览器中的所有网站',
    only: (app: string) => `仅退出 ${app}`,
    doneTitle: '你已退出登录',
    done: '你可以关闭此页面。',
  },
} as const;

function page(ctx: KoaContextWithOIDC, title: string, body: string): void {
  const lang = langOf(ctx);
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.body = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/oidc/login.css"></head>
<body><main class="oidc-login"><section><h1>${title}</h1>${body}</section></main></body></html>`;
}

const langOf = (ctx: KoaContextWithOIDC) => pageLang(ctx.oidc?.params?.ui_locales, ctx.get('accept-language'));

/** The website's name as its app is configured, escaped; the client id when it has none. */
const appName = (ctx: KoaContextWithOIDC): string => escapeHtml(ctx.oidc?.client?.clientName ?? ctx.oidc?.client?.clientId ?? 'qrlogin');

export function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  const text = TEXT[langOf(ctx)];
  const app = appName(ctx);
  page(
    ctx,
    text.confirmTitle,
    `<p>${text.asks(app)}</p>${form}
<button class="oidc-button" autofocus type="submit" form="op.logoutForm" name="logout" value="yes">${text.everywhere}</button>
<button class="oidc-button secondary" type="submit" form="op.logoutForm">${text.only(app)}</button>`,
  );
}

export function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  const text = TEXT[langOf(ctx)];
  page(ctx, text.doneTitle, `<p>${text.done}</p>`);
}
