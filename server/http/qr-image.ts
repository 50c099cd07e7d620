/**
 * @module
 * `GET /qr.png?random=R`: the QR as a PNG, loadable cross-origin by an `<img>` (the `url` of
 * `gene`). Rendered on demand, so creating a QR costs no image encoding, and once per QR: a
 * render costs ~10 ms of CPU, so the image is kept (in this process, the newest
 * {@link MAX_CACHED_IMAGES}) until its QR expires, parallel requests share one render, and
 * each address is rate limited (`image`).
 * A QR that does not exist or has expired is a 404; a store outage is a 503.
 */
import { Router } from 'express';
import QRCode from 'qrcode';
import { API } from '../../shared/http';
import { qrText } from '../domain/qr-session';
import { AppError } from '../errors';
import type { RateLimiter } from '../ratelimit/limiter';
import type { QrLoginService } from '../services/qr-login';
import { parse, randomQuery } from '../edge/validation';

/**
 * Images kept at once (4 kB for a QR with no customData, up to 10 kB with 512 bytes of it:
 * at most ~20 MB); past it the oldest are dropped first and rendered again if asked for.
 */
export const MAX_CACHED_IMAGES = 2_000;

interface Cached {
  png: Promise<Buffer>;
  expireAt: number;
}

/** Rendered images by `random`, in insertion order, each until its QR's `expireAt`. */
export class ImageCache {
  readonly #entries = new Map<string, Cached>();
  constructor(private readonly max = MAX_CACHED_IMAGES) {}

  /** The image of `random`, rendered by `render` unless a live one is kept. */
  get(random: string, expireAt: number, now: number, render: () => Promise<Buffer>): Promise<Buffer> {
    const kept = this.#entries.get(random);
    if (kept && kept.expireAt > now) return kept.png;
    if (kept) this.#entries.delete(random);
    while (this.#entries.size >= this.max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    const png = render();
    this.#entries.set(random, { png, expireAt });
    // A failed render is not kept: the next request tries again.
    png.catch(() => {
      if (this.#entries.get(random)?.png === png) this.#entries.delete(random);
    });
    return png;
  }

  get size(): number {
    return this.#entries.size;
  }
}

export function qrImageRoutes(qr: QrLoginService, limiter: RateLimiter, now: () => number): Router {
  const router = Router();
  const images = new ImageCache();
  router.get(API.qrImage, async (req, res) => {
    await limiter.take('image', req.ip ?? '');
    const { random } = parse(randomQuery, req.query);
    const session = await qr.displayable(random).catch((error: unknown) => {
      const gone = error instanceof AppError && (error.key === 'QR_NOT_FOUND' || error.key === 'QR_EXPIRED');
      throw gone ? new AppError('NOT_FOUND', { detail: 'no such QR code' }) : error;
    });
    const png = await images.get(session.random, session.expireAt, now(), () =>
      QRCode.toBuffer(qrText(session), { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 256 }),
    );
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
