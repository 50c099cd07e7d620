/**
 * @module
 * The text inside the QR (PROTOCOL §5): what a phone reads, and nothing secret.
 */

export const QR_SCENE = 'APP_AUTH';

/** The JSON object encoded in a qrlogin QR code. */
export interface QrPayload {
  scene: typeof QR_SCENE;
  random: string;
  userPoolId: string;
  appId: string;
  createdAt: string;
  expireAt: string;
  customData: Record<string, unknown>;
}

/** A `random` as the server makes it: URL-safe characters only. */
export const RANDOM_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** The QR text for a payload; key order is fixed so the text is stable. */
export function encodeQrPayload(payload: QrPayload): string {
  const ordered: QrPayload = {
    scene: payload.scene,
    random: payload.random,
    userPoolId: payload.userPoolId,
    appId: payload.appId,
    createdAt: payload.createdAt,
    expireAt: payload.expireAt,
    customData: payload.customData,
  };
  return JSON.stringify(ordered);
}

/** Thrown by {@link parseQrCode} for text that is not a qrlogin QR code. */
export class QrCodeParseError extends Error {
  override readonly name = 'QrCodeParseError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the text a camera decoded from a QR code.
 *
 * @throws {QrCodeParseError} when the text is not a qrlogin login QR code.
 * @example
 * const { random, appId } = parseQrCode(decodedText);
 */
export function parseQrCode(text: string): QrPayload {
  let value: unknown;
  try {
    value = JSON.parse(text.trim());
  } catch {
    throw new QrCodeParseError('not a qrlogin QR code (not JSON)');
  }
  if (!isRecord(value)) throw new QrCodeParseError('not a qrlogin QR code (not an object)');
  if (value.scene !== QR_SCENE) throw new QrCodeParseError('not a qrlogin QR code (scene)');
  const { random, userPoolId, appId, createdAt, expireAt } = value;
  if (typeof random !== 'string' || !RANDOM_PATTERN.test(random)) {
    throw new QrCodeParseError('not a qrlogin QR code (random)');
  }
  for (const [name, field] of Object.entries({ userPoolId, appId, createdAt, expireAt })) {
    if (typeof field !== 'string') throw new QrCodeParseError(`not a qrlogin QR code (${name})`);
  }
  return {
    scene: QR_SCENE,
    random,
    userPoolId: userPoolId as string,
    appId: appId as string,
    createdAt: createdAt as string,
    expireAt: expireAt as string,
    customData: isRecord(value.customData) ? value.customData : {},
  };
}
