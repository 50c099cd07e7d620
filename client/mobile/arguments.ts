/**
 * @module
 * The call shapes of `QrLoginMobileClient` and their checks. Every method takes one object
 * (`scanned({ random })`, `login({ username, password })`, `signOut({ id })`, …); the
 * positional forms of earlier versions are still read. A call from plain JavaScript with arguments of the wrong
 * type fails at once — a {@link QrLoginError} with code 400 naming the expected shape, e.g.
 * "login expects { username, password }" — without a request to the server.
 */
import { QR_LOGIN_ERROR_CODES } from '../common/errors';
import { QrLoginError } from '../common/http';

/** A QR code to act on: `{ random }`, e.g. what `parseQrCode(text)` returns. */
export interface QrInput {
  /** The QR code's id (`parseQrCode(text).random`). */
  random: string;
}

/** Fields of `confirm`. */
export interface ConfirmInput extends QrInput {
  /** The number the user picked, when `scanned` returned `matchChoices` (number matching). */
  matchCode?: string;
}

/** Fields of `login`. */
export interface LoginInput {
  username: string;
  password: string;
}

/** Fields of `register`. */
export interface RegisterInput {
  /** 3–64 characters of `A–Z a–z 0–9 . _ @ -`. */
  username: string;
  /** 8–256 characters. */
  password: string;
  nickname?: string;
}

/** Fields of `signOut`. */
export interface SignOutInput {
  /** The signed-in browser's `id` (from `sessions()`): the session id, the `sid` of its ID tokens. */
  id: string;
}

/** The shape each method expects, as the error names it. */
const SHAPES = {
  scanned: '{ random } (e.g. the result of parseQrCode(text))',
  confirm: '{ random, matchCode? }',
  cancel: '{ random }',
  login: '{ username, password }',
  register: '{ username, password, nickname? }',
  signOut: '{ id } (a signed-in browser of sessions())',
} as const;

type Method = keyof typeof SHAPES;

function wrongCall(method: Method): QrLoginError {
  return new QrLoginError(QR_LOGIN_ERROR_CODES.INVALID_REQUEST, `${method} expects ${SHAPES[method]}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The fields of a `scanned` / `cancel` call (`{ random }` or the deprecated bare `random`). */
export function qrArgs(method: 'scanned' | 'cancel', input: unknown): QrInput {
  const random = typeof input === 'string' ? input : isRecord(input) ? input.random : undefined;
  if (typeof random !== 'string' || random === '') throw wrongCall(method);
  return { random };
}

/** The fields of a `confirm` call (`{ random, matchCode? }` or the deprecated `(random, matchCode?)`). */
export function confirmArgs(input: unknown, positionalMatchCode: unknown): ConfirmInput {
  const fields = typeof input === 'string' ? { random: input, matchCode: positionalMatchCode } : isRecord(input) ? input : undefined;
  const random = fields?.random;
  const matchCode = fields?.matchCode;
  if (typeof random !== 'string' || random === '') throw wrongCall('confirm');
  if (matchCode !== undefined && typeof matchCode !== 'string') throw wrongCall('confirm');
  return matchCode === undefined ? { random } : { random, matchCode };
}

/** The fields of a `login` call (`{ username, password }` or the deprecated `(username, password)`). */
export function loginArgs(input: unknown, positionalPassword: unknown): LoginInput {
  const fields = typeof input === 'string' ? { username: input, password: positionalPassword } : isRecord(input) ? input : undefined;
  const username = fields?.username;
  const password = fields?.password;
  if (typeof username !== 'string' || typeof password !== 'string') throw wrongCall('login');
  return { username, password };
}

/** The fields of a `register` call. */
export function registerArgs(input: unknown): RegisterInput {
  if (!isRecord(input)) throw wrongCall('register');
  const { username, password, nickname } = input;
  if (typeof username !== 'string' || typeof password !== 'string') throw wrongCall('register');
  if (nickname !== undefined && nickname !== null && typeof nickname !== 'string') throw wrongCall('register');
  return nickname ? { username, password, nickname } : { username, password };
}

/** The fields of a `signOut` call: `{ id }`, a non-empty string. */
export function signOutArgs(input: unknown): SignOutInput {
  const id = isRecord(input) ? input.id : undefined;
  if (typeof id !== 'string' || id === '') throw wrongCall('signOut');
  return { id };
}
