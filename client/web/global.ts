/**
 * @module
 * The `<script src="/sdk/qrlogin.js">` bundle: puts the SDK on `window.QrLogin` and registers
 * `<qr-login>` (unless a copy of the SDK did already).
 *
 * @example
 * <script src="https://login.example.com/sdk/qrlogin.js"></script>
 * <script>
 *   new QrLogin.QrLoginClient({ host: 'https://login.example.com' })
 *     .startScanning('qrcode', { onSuccess: (user) => console.log(user) });
 * </script>
 * <qr-login host="https://login.example.com" app-id="shop"></qr-login>
 */
import { parseQrCode } from '../../shared';
import { QrLoginError } from '../common/http';
import { QrLoginMobileClient } from '../mobile/mobile-client';
import { QrLoginElement, defineQrLoginElement } from './element';
import { QrLoginClient } from './qrlogin-client';

/** What `window.QrLogin` holds. */
export interface QrLoginGlobal {
  QrLoginClient: typeof QrLoginClient;
  QrLoginElement: typeof QrLoginElement;
  QrLoginMobileClient: typeof QrLoginMobileClient;
  QrLoginError: typeof QrLoginError;
  parseQrCode: typeof parseQrCode;
}

declare global {
  interface Window {
    QrLogin: QrLoginGlobal;
  }
}

window.QrLogin = { QrLoginClient, QrLoginElement, QrLoginMobileClient, QrLoginError, parseQrCode };
defineQrLoginElement();
