/**
 * @module
 * The "Acme" demo website at `/`: one `startScanning` widget in `#qrcode`; on success, the
 * user's nickname in `#user` and the decoded ID token claims. Everything that came from the
 * network is inserted as text.
 */
import { QrLoginClient, type ScanUser } from '../web/index';
import { byId } from './dom';
import { decodeJwtClaims } from './jwt';

const signin = byId('signin');
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
  signin.hidden = true;
  welcome.hidden = false;
  document.title = `Acme — ${name}`;
}

// Always the demo app: a `defaultApp` of one's own must not move this page onto an app whose
// origins and exchange settings it does not meet.
const client = new QrLoginClient({ appId: 'demo' });
client.startScanning('qrcode', {
  size: 220,
  // The site's own logo in the middle of the QR; every e2e test still reads the QR from pixels.
  logo: '/favicon.svg',
  onCodeShow: (_random, _url, qrcode) => {
    copyBox.value = qrcode;
  },
  onResult: (result) => {
    if (result.statusName !== 'pending') copyBox.value = '';
  },
  onSuccess: (user) => showUser(user),
});
