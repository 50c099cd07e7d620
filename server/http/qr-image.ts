/**
 * @module
 * `GET /qr.png?random=R`: the QR as a PNG, rendered on demand (so creating a QR costs no
 * image encoding), loadable cross-origin by an `<img>` (the `url` of `gene`).
 */
import { Router } from 'express';
import QRCode from 'qrcode';
import { API } from '../../shared/http';
import { qrText } from '../domain/qr-session';
import { AppError } from '../errors';
import type { QrLoginService } from '../services/qr-login';
import { parse, randomQuery } from './validation';

export function qrImageRoutes(qr: QrLoginService, now: () => number): Router {
  const router = Router();
  router.get(API.qrImage, async (req, res) => {
    const { random } = parse(randomQuery, req.query);
    const session = await qr.displayable(random).catch((error: unknown) => {
      throw error instanceof AppError ? new AppError('NOT_FOUND', { detail: 'no such QR code' }) : error;
    });
    const png = await QRCode.toBuffer(qrText(session), { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 256 });
    const secondsLeft = Math.max(0, Math.floor((session.expireAt - now()) / 1000));
    res
      .set({
        'Content-Type': 'image/png',
        'Access-Control-Allow-Origin': '*',
        'Cache-Control': `private, max-age=${secondsLeft}`,
      })
      .send(png);
  });
  return router;
}
