/**
 * @module
 * The "Acme" demo website at `/`: one `startScanning` widget in `#qrcode`; on success, the
 * user's nickname in `#user` and the decoded ID token claims. Everything that came from the
 * network is inserted as text.
 *
 * Signed in, the page hands the ID token to its backend (`POST /demo/api/session`, which keeps
 * it in an HttpOnly cookie) and asks it every 3 s, and whenever the tab comes back into view,
 * whether the sign-in still holds (`GET /demo/api/session`). When the phone signed this
 * browser out ("Signed-in browsers": qrlogin's back-channel logout reached the backend), the
 * page says so and shows a fresh QR. `#welcome`'s `data-session` tells where it stands:
 * `watching`, or `unwatched` when the backend did not take the token.
 */
import { QrLoginClient, type ScanUser } from '../web/index';
import { byId } from './dom';
import { decodeJwtClaims } from './jwt';

const signin = byId('signin');
const notice = byId('signed-out-notice');
const welcome = byId('welcome');
const copyBox = byId<HTMLTextAreaElement>('qr-copy');
const copyButton = byId<HTMLButtonElement>('qr-copy-button');

byId('mobile-url').textContent = `(${location.origin}/mobile)`;

copyButton.addEventListener('click', () => {
  copyBox.select();
  if (!navigator.clipboard) return; // the text is selected: the user can copy it by hand
  navigator.clipboard.writeText(copyBox.value).then(
    () => {
      copyButton.textContent = 'Copied';
      setTimeout(() => (copyButton.textContent = 'Copy QR text'), 1500);
    },
    () => undefined,
  );
});

function showUser(user: ScanUser): void {
  const name = user.nickname || user.username || 'you';
  byId('user').textContent = `Signed in as ${name}`;
  const claims = user.token ? decodeJwtClaims(user.token) : null;
  byId('claims').textContent = claims ? JSON.stringify(claims, null, 2) : '(no ID token)';
  notice.hidden = true;
  signin.hidden = true;
  welcome.hidden = false;
  document.title = `Acme — ${name}`;
}

/** Why the backend says this browser is not signed in any more. */
type EndReason = 'signed-out-from-phone' | 'expired' | 'none';

const SESSION_URL = '/demo/api/session';
const CHECK_EVERY_MS = 3000;
const END_SENTENCES: Record<EndReason, string> = {
  'signed-out-from-phone': 'You were signed out from your phone.',
  expired: 'Your sign-in has expired. Scan the code to sign in again.',
  none: 'Your sign-in has ended. Scan the code to sign in again.',
};

let timer: ReturnType<typeof setInterval> | undefined;
let checking = false;

function stopWatching(): void {
  clearInterval(timer);
  timer = undefined;
}

/** Back to the sign-in view with a sentence and a fresh QR. */
function signedOut(reason: EndReason): void {
  stopWatching();
  delete welcome.dataset.session;
  welcome.hidden = true;
  signin.hidden = false;
  notice.textContent = END_SENTENCES[reason];
  notice.dataset.reason = reason;
  notice.hidden = false;
  document.title = 'Acme — sign in with your phone';
  scan.refresh();
}

/** Asks the backend whether the sign-in holds; no answer (offline, 5xx) changes nothing. */
async function checkSession(): Promise<void> {
  if (checking || timer === undefined) return;
  checking = true;
  try {
    const response = await fetch(SESSION_URL, { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) return;
    const body = (await response.json()) as { signedIn?: unknown; reason?: unknown };
    if (body.signedIn === false && timer !== undefined) {
      const reason = body.reason === 'signed-out-from-phone' || body.reason === 'expired' ? body.reason : 'none';
      signedOut(reason);
    }
  } catch {
    // Offline for a moment: ask again at the next tick.
  } finally {
    checking = false;
  }
}

/** Hands the ID token to the backend, then watches the sign-in. */
async function startSession(user: ScanUser): Promise<void> {
  stopWatching();
  welcome.dataset.session = 'starting';
  const response = user.token
    ? await fetch(SESSION_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idToken: user.token }),
        credentials: 'same-origin',
      }).catch(() => null)
    : null;
  if (response?.ok) {
    welcome.dataset.session = 'watching';
    timer = setInterval(() => void checkSession(), CHECK_EVERY_MS);
    return;
  }
  const refusal = response ? ((await response.json().catch(() => ({}))) as { error?: unknown }) : {};
  // The phone signed this browser out before the page could even start its session.
  if (refusal.error === 'signed_out') signedOut('signed-out-from-phone');
  else welcome.dataset.session = 'unwatched';
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void checkSession();
});

// Always the demo app: a `defaultApp` of one's own must not move this page onto an app whose
// origins and exchange settings it does not meet.
const client = new QrLoginClient({ appId: 'demo' });
const scan = client.startScanning('qrcode', {
  size: 220,
  // The site's own logo in the middle of the QR; every e2e test still reads the QR from pixels.
  logo: '/favicon.svg',
  onCodeShow: (_random, _url, qrcode) => {
    copyBox.value = qrcode;
  },
  onResult: (result) => {
    if (result.statusName !== 'pending') copyBox.value = '';
  },
  onSuccess: (user) => {
    showUser(user);
    void startSession(user);
  },
});
