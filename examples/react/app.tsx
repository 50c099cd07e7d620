/**
 * @module
 * The example shop: `<QrLogin/>` from `@qrlogin/react`, the signed-in user, sign out. The app
 * id and the qrlogin server come from the build (`QRLOGIN_APP`, `QRLOGIN_HOST`).
 */
import { QrLogin, type ScanUser } from '@qrlogin/react';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { pageLang, shopStrings } from './strings';

/** Set by build.mjs (esbuild `define`). */
declare const QRLOGIN_CONFIG: { host: string; appId: string };

function Shop() {
  const lang = pageLang();
  const text = shopStrings(lang);
  const [user, setUser] = useState<{ id: string; nickname: string } | null>(null);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(true);

  /** The page got the user and its ID token: the backend verifies the token before trusting it. */
  async function signIn(signedIn: ScanUser): Promise<void> {
    const token = 'token' in signedIn ? signedIn.token : undefined;
    const response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    }).catch(() => null);
    if (!response?.ok) return setFailed(true);
    setFailed(false);
    setUser(((await response.json()) as { user: { id: string; nickname: string } }).user);
  }

  if (user) {
    const name = user.nickname;
    return (
      <>
        <h1>{text.title}</h1>
        <p id="user">{text.signedInAs.replace('{name}', name)}</p>
        <button type="button" onClick={() => setUser(null)}>
          {text.signOut}
        </button>
      </>
    );
  }
  return (
    <>
      <h1>{text.title}</h1>
      <p>{text.intro}</p>
      {failed ? <p role="alert">{text.signInFailed}</p> : null}
      {open ? (
        <>
          <QrLogin
            className="login"
            appId={QRLOGIN_CONFIG.appId}
            host={QRLOGIN_CONFIG.host}
            lang={lang}
            onSuccess={(signedIn) => void signIn(signedIn)}
            onStatus={(status) => console.info('qrlogin status:', status)}
            onError={(message) => console.warn('qrlogin:', message)}
          />
          <br />
          <button type="button" onClick={() => setOpen(false)}>
            {text.close}
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          {text.open}
        </button>
      )}
    </>
  );
}

const root = document.getElementById('root');
if (root) {
  document.documentElement.lang = pageLang();
  // Strict mode mounts every component twice in development: the first QR's socket and timers
  // are closed before the second starts (tests/e2e/react-example.test.ts checks it).
  createRoot(root).render(
    <StrictMode>
      <Shop />
    </StrictMode>,
  );
}
