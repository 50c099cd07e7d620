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
  const [user, setUser] = useState<ScanUser | null>(null);
  const [open, setOpen] = useState(true);

  if (user) {
    const name = 'nickname' in user ? user.nickname || user.username : '';
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
      {open ? (
        <>
          <QrLogin
            className="login"
            appId={QRLOGIN_CONFIG.appId}
            host={QRLOGIN_CONFIG.host}
            lang={lang}
            onSuccess={(signedIn) => setUser(signedIn)}
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
