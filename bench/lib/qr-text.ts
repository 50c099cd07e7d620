/**
 * @module
 * A login QR's text as `gene` encodes it (server/domain/qr-session.ts `qrText`, the demo app),
 * with a fresh random: what the image tools render.
 */
import { newRandom } from '../../server/domain/secrets';
import { QR_SCENE, encodeQrPayload } from '../../shared/qr-payload';

export const loginQrText = (): string =>
  encodeQrPayload({
    scene: QR_SCENE,
    random: newRandom(),
    userPoolId: 'qrlogin',
    appId: 'demo',
    createdAt: new Date().toISOString(),
    expireAt: new Date(Date.now() + 120_000).toISOString(),
    customData: {},
  });
