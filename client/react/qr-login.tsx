/**
 * @module
 * `<QrLogin/>`: the QR login widget as a React component, on top of {@link useQrLogin}.
 */
import type { CSSProperties } from 'react';
import { useQrLogin, type UseQrLoginOptions } from './use-qr-login';

/** Props of {@link QrLogin}: the hook's options, and the container's `className` and `style`. */
export interface QrLoginProps extends UseQrLoginOptions {
  className?: string;
  style?: CSSProperties;
}

/**
 * A live QR login. `onSuccess(user, ticket)` runs when the user approves on the phone.
 *
 * @example
 * <QrLogin appId="shop" host="https://login.example.com" onSuccess={(user) => setUser(user)} />
 */
export function QrLogin({ className, style, ...options }: QrLoginProps) {
  const { ref } = useQrLogin(options);
  return <div ref={ref} className={className} style={style} />;
}
