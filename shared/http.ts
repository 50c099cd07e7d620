/**
 * @module
 * REST paths, headers and the data of every `/api/v2/*` answer (PROTOCOL §2–3).
 */
import type { QrStatus } from './status';

/** Every `/api/v2/*` answer: HTTP 200 (but 413/429) and `code: 200` on success. */
export interface Envelope<T> {
  code: number;
  message: string;
  data: T | null;
}

export const API = {
  gene: '/api/v2/qrcode/gene',
  check: '/api/v2/qrcode/check',
  userinfo: '/api/v2/qrcode/userinfo',
  scanned: '/api/v2/qrcode/scanned',
  confirm: '/api/v2/qrcode/confirm',
  cancel: '/api/v2/qrcode/cancel',
  register: '/api/v2/register',
  login: '/api/v2/login',
  /** The phone's user token is revoked on every instance (PROTOCOL §7). */
  logout: '/api/v2/logout',
  /** GET with the phone's token: who it signs in (a dead token gets 2020). */
  me: '/api/v2/me',
  /** GET with the phone's token: its signed-in browsers; `DELETE …/:id` signs one out (PROTOCOL §7). */
  sessions: '/api/v2/sessions',
  jwks: '/.well-known/jwks.json',
  openidConfiguration: '/.well-known/openid-configuration',
  /** PNG of a QR, `?random=R`; outside the envelope rule because an `<img>` loads it. */
  qrImage: '/qr.png',
} as const;

export const HEADERS = {
  appId: 'x-authing-app-id',
  lang: 'x-authing-lang',
  secret: 'x-qrlogin-secret',
} as const;

/** Cookie that carries the browser secret of QR `random` to credentialed polling clients. */
export function secretCookieName(random: string): string {
  return `qrlogin_${random}`;
}

/** Path of the secret cookie: it reaches `check` and `userinfo` and nothing else. */
export const SECRET_COOKIE_PATH = '/api/v2/qrcode';

/** Data of `POST /api/v2/qrcode/gene` (and of the `qr:create` ack). */
export interface GeneData {
  random: string;
  /** Private to the browser that created the QR; never in the QR. */
  secret: string;
  /** Absolute URL of a PNG of the QR, served with `Access-Control-Allow-Origin`. */
  url: string;
  /** The exact text encoded in the QR. */
  qrcode: string;
  createdAt: string;
  expireAt: string;
  expiresIn: number;
  /** Apps with number matching: the 2-digit code the browser shows next to the QR. */
  matchCode?: string;
}

/** What the website may learn of the scanner before confirmation (only if the app allows). */
export interface ScannerInfo {
  nickname?: string;
  photo?: string | null;
}

/** Data of `GET /api/v2/qrcode/check`. */
export interface CheckData {
  random: string;
  status: QrStatus;
  /** Non-null only at status 2 and only to the holder of the secret (or legacy apps). */
  ticket: string | null;
  userInfo: ScannerInfo;
  /** The user's id, only at status 2 and only to the holder of the secret. */
  scannedUserId: string | null;
  expireAt: string;
  version: number;
}

/** Who is asking to be logged in: what the phone shows before the user approves. */
export interface Requester {
  ip: string;
  userAgent: string;
  browser: string;
  os: string;
  origin: string | null;
}

/** Data of `POST /api/v2/qrcode/scanned`. */
export interface ScannedData {
  random: string;
  status: QrStatus;
  app: { id: string; name: string };
  requester: Requester;
  /**
   * The phone and the browser asking come from the same public IP: a hint only (networks
   * share addresses, phones switch to mobile data), shown next to the warning.
   */
  sameNetwork: boolean;
  /** Apps with number matching: three codes, one of them shown by the browser; `confirm` sends the user's pick. */
  matchChoices?: string[];
  createdAt: string;
  expireAt: string;
}

/** Data of `confirm` and `cancel`. */
export interface DecisionData {
  random: string;
  status: QrStatus;
}

/** A user as the directory shows it. */
export interface PublicUser {
  id: string;
  username: string;
  nickname: string;
  photo: string | null;
  email: string | null;
  phone: string | null;
}

/** Data of `GET /api/v2/me`: the user the phone's token signs in. */
export interface MeData {
  user: PublicUser;
}

/** Data of `register` and `login`: `token` is the user token the phone sends. */
export interface SessionData {
  user: PublicUser;
  token: string;
  tokenExpiredAt: string;
}

/** Data of `POST /api/v2/qrcode/userinfo`: the user with a signed ID token. */
export interface UserInfoData extends PublicUser {
  token: string;
  tokenExpiredAt: string;
}

/** A browser signed in by one of the user's confirmed logins (`GET /api/v2/sessions`). */
export interface SignedInBrowser {
  /** The session id: the `sid` of the ID tokens issued for this sign-in. */
  id: string;
  app: { id: string; name: string };
  /** "Chrome 131", "macOS 14" (or "unknown"): from the browser's User-Agent when it showed the QR. */
  browser: string;
  os: string;
  /** The browser's IP address then. */
  ip: string;
  /** ISO 8601: when the login was taken. */
  createdAt: string;
}

/** Data of `GET /api/v2/sessions`: newest first. */
export interface SessionsData {
  sessions: SignedInBrowser[];
}

/**
 * Data of `DELETE /api/v2/sessions/:id`: every session that ended with it (the one asked,
 * and the others of the same browser's OpenID Connect sign-in, which ends as a whole).
 */
export interface SignOutData {
  signedOut: string[];
}
