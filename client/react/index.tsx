/**
 * @module
 * `@qrlogin/react`: the `<QrLogin/>` component and the `useQrLogin` hook, built on
 * `QrLoginClient` of `@qrlogin/web`. `react` (18 or later) is a peer dependency.
 */
export { QrLogin } from './qr-login';
export type { QrLoginProps } from './qr-login';
export { useQrLogin } from './use-qr-login';
export type { QrLoginState, UseQrLoginOptions } from './use-qr-login';
export type { Lang, ScanStatus, ScanTips, ScanUser } from '@qrlogin/web';
