/**
 * @module
 * The QR login page of an OpenID Connect authorization request: who is asking (the app's
 * name), the live QR (the web SDK's widget, number matching when the app uses it), and what to do, in
 * English or Chinese. Its script (`/oidc/login.js`, client/oidc/login.ts) shows the QR (the web
 * SDK's widget in `#qr`, the QR made for this request) and hands the ticket to the interaction
 * route; nothing on the page is a secret.
 */
import type { Lang } from '../../shared/errors';
import { escapeHtml } from './html';

export { pageLang } from './html';

const TEXT = {
  en: {
    title: (app: string) => `Sign in to ${app}`,
    lead: 'Scan the code with your phone’s app, check who is asking, and approve.',
    noscript: 'This sign-in page needs JavaScript.',
  },
  'zh-CN': {
    title: (app: string) => `登录 ${app}`,
    lead: '请用手机 App 扫描二维码，确认请求来源后批准登录。',
    noscript: '此登录页面需要启用 JavaScript。',
  },
} as const;

export interface LoginPage {
  uid: string;
  appId: string;
  appName: string;
  lang: Lang;
}

export function renderLoginPage(page: LoginPage): string {
  const text = TEXT[page.lang];
  const title = escapeHtml(text.title(page.appName));
  return `<!doctype html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<link rel="stylesheet" href="/oidc/login.css">
<script type="module" src="/oidc/login.js"></script>
</head>
<body data-uid="${escapeHtml(page.uid)}" data-lang="${page.lang}">
<main class="oidc-login">
<h1 id="title">${title}</h1>
<p>${escapeHtml(text.lead)}</p>
<div id="qr" data-app-id="${escapeHtml(page.appId)}"></div>
<p id="problem" role="alert" hidden></p>
<noscript><p>${escapeHtml(text.noscript)}</p></noscript>
</main>
</body>
</html>`;
}
