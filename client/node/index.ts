/**
 * @module
 * `@qrlogin/node`: qrlogin for your website's backend (Node ≥ 20, ESM).
 * - {@link verifyIdToken}: check an ID token against the issuer's keys (cached per issuer);
 * - {@link exchangeTicket}: redeem the ticket your page received, with the app secret;
 * - {@link qrLoginMiddleware}: an Express route that does both and calls your `onLogin`;
 * - {@link verifyLogoutToken}: check the logout token qrlogin POSTs to your back-channel
 *   logout URL when the user signs a browser out from the phone.
 *
 * @example
 * import express from 'express';
 * import { qrLoginMiddleware } from '@qrlogin/node';
 * app.post('/auth/qrlogin', express.json(), qrLoginMiddleware({
 *   host: 'https://login.example.com', appId: 'shop', appSecret: process.env.QRLOGIN_APP_SECRET,
 *   onLogin(user, req, res) { res.cookie('sid', startSession(user.id), { httpOnly: true }); },
 * }));
 */
export { verifyIdToken } from './verify';
export type { IdTokenClaims, VerifyIdTokenOptions } from './verify';
export { verifyLogoutToken } from './logout';
export type { LogoutTokenClaims, VerifyLogoutTokenOptions } from './logout';
export { exchangeTicket } from './exchange';
export type { ExchangeTicketOptions, ExchangedUser } from './exchange';
export { qrLoginMiddleware } from './middleware';
export type { MiddlewareErrorCode, NextLike, QrLoginMiddlewareOptions, QrLoginUser, RequestLike, ResponseLike } from './middleware';
export { QrLoginTokenError } from './errors';
export type { TokenErrorCode } from './errors';
export { QrLoginError } from '../common/http';
export type { FetchLike, QrLoginErrorCode } from '../common/http';
export type { PublicUser, UserInfoData } from '../../shared';
