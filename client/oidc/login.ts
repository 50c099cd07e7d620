/**
 * @module
 * The script of qrlogin's OpenID Connect login page (server/oidc/login-page.ts): the web SDK's
 * widget in `#qr`, each QR made for this authorization request (`customData.oidcInteraction`,
 * which the server checks when it takes the ticket) and never exchanged in the browser. Once
 * the phone approves, the ticket goes to the interaction, which answers where the browser goes
 * next (back to the website, signed in). A denial goes back as `access_denied`; an expired QR
 * is replaced by a fresh one.
 */
import { QrLoginClient, type ScanHandle } from '../web/index';

const TEXT = {
  en: {
    failed: 'We could not sign you in. Scan the new code to try again.',
    gone: 'This sign-in page has expired. Go back to the website and start again.',
  },
  'zh-CN': {
    failed: '登录未成功，请扫描新的二维码重试。',
    gone: '此登录页面已过期。请返回网站后重新开始。',
  },
} as const;

const uid = document.body.dataset.uid ?? '';
const lang = document.body.dataset.lang === 'zh-CN' ? 'zh-CN' : 'en';
const text = TEXT[lang];
const container = document.getElementById('qr');
const problem = document.getElementById('problem');
let scanning: ScanHandle | null = null;

function say(message: string): void {
  if (!problem) return;
  problem.textContent = message;
  problem.hidden = false;
}

/** Posts to the interaction; follows `{redirect}`, else says what went wrong. */
async function send(step: 'login' | 'abort', body: Record<string, string>): Promise<void> {
  const response = await fetch(`/oidc/interaction/${encodeURIComponent(uid)}/${step}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch(() => null);
  const answer = (await response?.json().catch(() => null)) as { redirect?: unknown; error?: unknown } | null;
  if (response?.ok && typeof answer?.redirect === 'string') {
    location.assign(answer.redirect);
    return;
  }
  if (answer?.error === 'interaction_gone') {
    say(text.gone);
    scanning?.stop();
    if (container) container.hidden = true;
    return;
  }
  say(text.failed);
  scanning?.refresh();
}

if (container) {
  const client = new QrLoginClient({ appId: container.dataset.appId, lang });
  scanning = client.startScanning(container, {
    customData: { oidcInteraction: uid },
    autoExchangeUserInfo: false,
    onSuccess: (_user, ticket) => void send('login', { ticket }),
    onStatus: (status) => {
      if (status === 'cancelled') void send('abort', {});
      // An expired QR: a fresh one on the same page.
      else if (status === 'expired') scanning?.refresh();
      else if (status === 'pending' && problem) problem.hidden = true;
    },
  });
}
