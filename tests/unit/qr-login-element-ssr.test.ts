/**
 * `@qrlogin/web` and `@qrlogin/react` where there is no DOM (server-side rendering, issue 14):
 * importing them throws nothing and registers nothing, and `<QrLogin/>` renders its empty
 * container on the server without starting anything.
 */
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { QrLogin } from '@qrlogin/react';
import { QR_LOGIN_TAG, QrLoginElement, defineQrLoginElement } from '@qrlogin/web';

test('importing @qrlogin/web without a DOM defines the class and registers nothing', () => {
  expect(typeof HTMLElement).toBe('undefined');
  expect(typeof customElements).toBe('undefined');
  expect(QR_LOGIN_TAG).toBe('qr-login');
  expect(QrLoginElement.observedAttributes).toEqual(['app-id', 'host', 'lang', 'size', 'logo', 'exchange']);
  expect(() => defineQrLoginElement()).not.toThrow();
});

test('<QrLogin/> renders an empty container on the server', () => {
  const html = renderToString(createElement(QrLogin, { appId: 'shop', host: 'https://login.example', className: 'login' }));
  expect(html).toBe('<div class="login"></div>');
});
