/**
 * @module
 * `useQrLogin`: runs the web SDK's widget in an element of yours, for as long as that element
 * is mounted, and follows its status in React state.
 */
import { QrLoginClient, type Lang, type ScanStatus, type ScanTips, type ScanUser } from '@qrlogin/web';
import { useCallback, useEffect, useRef, useState } from 'react';

/** Options of {@link useQrLogin} (and props of `<QrLogin/>`). */
export interface UseQrLoginOptions {
  /** The app's id in the qrlogin server's APPS; the server's default app when omitted. */
  appId?: string;
  /** Origin of the qrlogin server, e.g. `https://login.example.com`; default the page's. */
  host?: string;
  /** Language of the widget and of server messages: `en` (default) or `zh-CN`. */
  lang?: Lang;
  /** QR width and height in CSS pixels; default 200. */
  size?: number;
  /** URL of a logo for the middle of the QR. */
  logo?: string;
  /**
   * `'browser'` (default): the page redeems the ticket and `onSuccess` gets the full user with
   * its ID `token` (the app needs `allowBrowserExchange: true`). `'server'`: `onSuccess` gets
   * `{}` and the ticket, which your backend redeems with the app secret.
   */
  exchange?: 'browser' | 'server';
  /** Overrides of the widget's texts (read at each start). */
  tips?: Partial<ScanTips>;
  /** Approved on the phone (the latest function given is called; changing it restarts nothing). */
  onSuccess?: (user: ScanUser, ticket: string) => void;
  /** Each new status: `loading`, `pending`, `scanned`, `confirmed`, `cancelled`, `expired`, `error`. */
  onStatus?: (status: ScanStatus) => void;
  /** The QR could not be created, or signing in failed after approval. */
  onError?: (message: string) => void;
}

/** What {@link useQrLogin} returns. */
export interface QrLoginState<T extends HTMLElement = HTMLDivElement> {
  /** Put it on an empty element (`<div ref={ref} />`): the widget renders inside it. */
  ref: (element: T | null) => void;
  /** The widget's status, `null` before it starts. */
  status: ScanStatus | null;
  /** The signed-in user (`{}` with `exchange: 'server'`), once approved. */
  user: ScanUser | null;
  /** The ticket of the approval, once approved. */
  ticket: string | null;
  /** The last error message, cleared by the next QR. */
  error: string | null;
  /** Starts over with a new QR code. */
  refresh: () => void;
}

type Callbacks = Pick<UseQrLoginOptions, 'onSuccess' | 'onStatus' | 'onError' | 'tips'>;

/**
 * Shows a live QR login in the element you attach `ref` to. The QR restarts when `appId`,
 * `host`, `lang`, `size`, `logo` or `exchange` change; the callbacks may change at every render.
 * On unmount (and between React's strict-mode double mount) the socket and timers are closed.
 *
 * @example
 * const { ref, status, user } = useQrLogin({ appId: 'shop', host: 'https://login.example.com' });
 * return user ? <p>Hello {user.nickname}</p> : <div ref={ref} />;
 */
export function useQrLogin<T extends HTMLElement = HTMLDivElement>(options: UseQrLoginOptions = {}): QrLoginState<T> {
  const { appId, host, lang, size, logo, exchange } = options;
  const [element, setElement] = useState<T | null>(null);
  const [status, setStatus] = useState<ScanStatus | null>(null);
  const [result, setResult] = useState<{ user: ScanUser; ticket: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const callbacks = useRef<Callbacks>(options);
  const handle = useRef<{ refresh(): void } | null>(null);

  // The latest callbacks, before the widget's effect below can call them.
  useEffect(() => {
    callbacks.current = { onSuccess: options.onSuccess, onStatus: options.onStatus, onError: options.onError, tips: options.tips };
  });

  useEffect(() => {
    if (!element) return undefined;
    let live = true;
    const failed = (message: string) => {
      if (!live) return;
      setError(message);
      callbacks.current.onError?.(message);
    };
    const client = new QrLoginClient({ appId, host, lang });
    const scanning = client.startScanning(element, {
      ...(size ? { size } : {}),
      ...(logo ? { logo } : {}),
      ...(callbacks.current.tips ? { tips: callbacks.current.tips } : {}),
      autoExchangeUserInfo: exchange !== 'server',
      onStatus: (next) => {
        if (!live) return;
        setStatus(next);
        if (next === 'loading') {
          setResult(null);
          setError(null);
        }
        callbacks.current.onStatus?.(next);
      },
      onSuccess: (user, ticket) => {
        if (!live) return;
        setResult({ user, ticket });
        callbacks.current.onSuccess?.(user, ticket);
      },
      onError: failed,
      onCodeLoadFailed: failed,
    });
    handle.current = scanning;
    return () => {
      live = false;
      scanning.stop();
      if (handle.current === scanning) handle.current = null;
    };
  }, [element, appId, host, lang, size, logo, exchange]);

  const ref = useCallback((node: T | null) => setElement(node), []);
  const refresh = useCallback(() => handle.current?.refresh(), []);
  return { ref, status, user: result?.user ?? null, ticket: result?.ticket ?? null, error, refresh };
}
