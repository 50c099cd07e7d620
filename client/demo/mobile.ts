/**
 * @module
 * The demo phone page at `/mobile`: plays the company's app. Log in or register (token kept
 * in `localStorage`), read a QR code with the camera (or pasted text), show who is asking,
 * then approve or deny; "Log out" revokes the token on the server. Everything that came from
 * the network is inserted as text.
 */
import type { PublicUser, ScannedData } from '../mobile';
import { QrLoginError, QrLoginMobileClient, parseQrCode } from '../mobile';
import { ERRORS } from '../../shared';
import { cameraUnavailableReason, readQrFromPhoto, startCameraScan, type CameraScan } from './camera';
import { byId, showOnly } from './dom';

const TOKEN_KEY = 'qrlogin.demo.token';
const USER_KEY = 'qrlogin.demo.user';

const views = {
  auth: byId('auth-view'),
  scan: byId('scan-view'),
  confirm: byId('confirm-view'),
  result: byId('result-view'),
};
const errorBox = byId('error');
const whoami = byId('whoami');
const username = byId<HTMLInputElement>('username');
const password = byId<HTMLInputElement>('password');
const nickname = byId<HTMLInputElement>('nickname');
const loginButton = byId<HTMLButtonElement>('login');
const registerButton = byId<HTMLButtonElement>('register');
const qrText = byId<HTMLTextAreaElement>('qr-text');
const qrSubmit = byId<HTMLButtonElement>('qr-submit');
const scanCamera = byId<HTMLButtonElement>('scan-camera');
const cameraBox = byId('camera');
const cameraHint = byId('camera-hint');
const video = byId<HTMLVideoElement>('video');
const frame = byId<HTMLCanvasElement>('frame');
const approve = byId<HTMLButtonElement>('approve');
const deny = byId<HTMLButtonElement>('deny');
const result = byId('result');

const client = new QrLoginMobileClient({ host: location.origin, token: readStorage(TOKEN_KEY) ?? undefined });
let camera: CameraScan | null = null;
/** The QR being decided on. */
let current: string | null = null;

// ── storage (private browsing may refuse it: the page still works, it just forgets) ─────────

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // not persisted; fine for a demo
  }
}

// ── feedback ───────────────────────────────────────────────────────────────────────────────

function showError(error: unknown): void {
  const message =
    error instanceof QrLoginError
      ? error.message
      : error instanceof Error && error.message
        ? error.message
        : String(error);
  errorBox.textContent = message;
  errorBox.hidden = false;
  if (error instanceof QrLoginError) errorBox.dataset.code = String(error.code);
  else delete errorBox.dataset.code;
}

function clearError(): void {
  errorBox.textContent = '';
  errorBox.hidden = true;
  delete errorBox.dataset.code;
}

/** Runs `work` with `buttons` disabled; errors land in `#error`. */
async function busy(buttons: HTMLButtonElement[], work: () => Promise<void>): Promise<void> {
  clearError();
  for (const button of buttons) button.disabled = true;
  try {
    await work();
  } catch (error) {
    if (error instanceof QrLoginError && error.code === ERRORS.NOT_LOGGED_IN.code) signOut();
    showError(error);
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

// ── session ────────────────────────────────────────────────────────────────────────────────

function currentUser(): PublicUser | null {
  const raw = readStorage(USER_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as PublicUser;
  } catch {
    return null;
  }
}

function signedIn(user: PublicUser | null): void {
  whoami.textContent = user ? user.nickname || user.username : '';
  whoami.hidden = !user;
  password.value = '';
  toScan();
}

function signOut(): void {
  stopCamera();
  client.setToken(null);
  writeStorage(TOKEN_KEY, null);
  writeStorage(USER_KEY, null);
  whoami.hidden = true;
  current = null;
  showOnly(Object.values(views), views.auth);
}

function remember(token: string, user: PublicUser): void {
  writeStorage(TOKEN_KEY, token);
  writeStorage(USER_KEY, JSON.stringify(user));
  signedIn(user);
}

byId<HTMLFormElement>('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void busy([loginButton, registerButton], async () => {
    const session = await client.login(username.value.trim(), password.value);
    remember(session.token, session.user);
  });
});

registerButton.addEventListener('click', () => {
  void busy([loginButton, registerButton], async () => {
    const nick = nickname.value.trim();
    const session = await client.register({
      username: username.value.trim(),
      password: password.value,
      ...(nick ? { nickname: nick } : {}),
    });
    remember(session.token, session.user);
  });
});

const logoutButton = byId<HTMLButtonElement>('logout');
logoutButton.addEventListener('click', () => {
  clearError();
  logoutButton.disabled = true;
  // Revoke the token on the server first (every instance refuses it from then on). Best
  // effort: when the server cannot be reached the phone still signs out here; the token then
  // lapses at its expiry.
  client
    .logout()
    .catch(() => undefined)
    .finally(() => {
      logoutButton.disabled = false;
      signOut();
    });
});

// ── scanning ───────────────────────────────────────────────────────────────────────────────

function toScan(): void {
  current = null;
  qrText.value = '';
  showOnly(Object.values(views), views.scan);
}

function stopCamera(): void {
  camera?.stop();
  camera = null;
  cameraBox.hidden = true;
  scanCamera.hidden = false;
}

/** Handles the text of a QR code; `false` when it is not a qrlogin code. */
function useQrText(text: string): boolean {
  let random: string;
  try {
    random = parseQrCode(text).random;
  } catch {
    return false;
  }
  stopCamera();
  void busy([qrSubmit], () => askToApprove(random));
  return true;
}

const qrPhoto = byId<HTMLInputElement>('qr-photo');
qrPhoto.addEventListener('change', () => {
  clearError();
  const file = qrPhoto.files?.[0];
  qrPhoto.value = '';
  if (!file) return;
  readQrFromPhoto(file).then(
    (text) => {
      if (text === null) showError(new Error('No QR code found in that photo. Try again closer, or paste the QR text.'));
      else if (!useQrText(text)) showError(new Error('That QR code is not a sign-in code.'));
    },
    () => showError(new Error('That file could not be read as a picture.')),
  );
});

scanCamera.addEventListener('click', () => {
  clearError();
  const reason = cameraUnavailableReason();
  if (reason) {
    showError(new Error(reason));
    return;
  }
  scanCamera.hidden = true;
  cameraBox.hidden = false;
  cameraHint.textContent = 'Looking for a QR code…';
  let warned = false;
  startCameraScan(video, frame, (text) => {
    const accepted = useQrText(text);
    if (!accepted && !warned) {
      warned = true;
      cameraHint.textContent = 'That QR code is not a sign-in code. Keep looking…';
    }
    return accepted;
  }).then(
    (scan) => {
      // The user may have pressed "stop" (or a code was read) while the camera started.
      if (cameraBox.hidden) scan.stop();
      else camera = scan;
    },
    (error: unknown) => {
      stopCamera();
      const denied = error instanceof DOMException && error.name === 'NotAllowedError';
      showError(denied ? new Error('Camera permission was refused. Paste the QR text instead.') : error);
    },
  );
});

byId('stop-camera').addEventListener('click', stopCamera);

qrSubmit.addEventListener('click', () => {
  clearError();
  if (!useQrText(qrText.value)) {
    showError(new Error('That is not the text of a qrlogin QR code.'));
  }
});

// ── who is asking, and the decision ─────────────────────────────────────────────────────────

async function askToApprove(random: string): Promise<void> {
  const info = await client.scanned(random);
  current = random;
  showRequester(info);
  showChoices(info.matchChoices ?? null);
  showOnly(Object.values(views), views.confirm);
  (matchButtons()[0] ?? approve).focus();
}

const matchBox = byId('match');
const matchChoices = byId('match-choices');
const matchButtons = () => [...matchChoices.querySelectorAll<HTMLButtonElement>('button')];

/** Number matching: one big button per choice instead of Approve. */
function showChoices(choices: string[] | null): void {
  matchBox.hidden = choices === null;
  approve.hidden = choices !== null;
  matchChoices.replaceChildren(
    ...(choices ?? []).map((choice) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button big';
      button.textContent = choice;
      button.dataset.choice = choice;
      button.addEventListener('click', () => decide(true, choice));
      return button;
    }),
  );
}

function showRequester(info: ScannedData): void {
  // `null`: a page with an opaque origin (a sandboxed frame), admitted only where an app lists it.
  const sent = info.requester.origin;
  const origin = sent && sent !== 'null' ? sent : 'an unknown website';
  byId('req-app').textContent = info.app.name || info.app.id;
  byId('req-origin').textContent = origin;
  byId('req-browser').textContent = info.requester.browser || info.requester.userAgent || 'unknown';
  byId('req-os').textContent = info.requester.os || 'unknown';
  byId('req-ip').textContent = info.requester.ip || 'unknown';
  byId('req-network').textContent = info.sameNetwork
    ? 'Same network as this phone'
    : 'A different network from this phone';
  byId('warning').textContent = `Only approve if you are signing in to ${origin} on a screen in front of you right now.`;
}

function decide(approved: boolean, matchCode?: string): void {
  const random = current;
  if (!random) return;
  void busy([approve, deny, ...matchButtons()], async () => {
    if (approved) await client.confirm(random, matchCode);
    else await client.cancel(random);
    current = null;
    result.textContent = approved ? 'Approved — you are signed in on the other screen' : 'Denied';
    result.dataset.outcome = approved ? 'approved' : 'denied';
    showOnly(Object.values(views), views.result);
  });
}

approve.addEventListener('click', () => decide(true));
deny.addEventListener('click', () => decide(false));
byId('scan-another').addEventListener('click', () => {
  clearError();
  toScan();
});

// ── start ──────────────────────────────────────────────────────────────────────────────────

if (client.token) signedIn(currentUser());
else signOut();
