/**
 * @module
 * `GET /qr.png?random=R`: the QR as a PNG, loadable cross-origin by an `<img>` (the `url` of
 * `gene`). Rendered on demand (./qr-png.ts, about 0.3 ms), so creating a QR costs no image
 * encoding, and once per QR: the image is kept (in this process, the newest
 * {@link MAX_CACHED_IMAGES}) until its QR expires, and parallel requests share one render. An
 * image never changes, so it carries an `ETag` (a request with `If-None-Match` gets 304) and
 * `Cache-Control: public` until the QR's deadline, for browsers and CDNs alike. Each address is
 * rate limited (`image`). A QR that does not exist or has expired is a 404; a store outage is a
 * 503.
 */
import { API } from '../../shared/http';
import { qrText } from '../domain/qr-session';
import { AppError } from '../errors';
import type { RateLimiter } from '../ratelimit/limiter';
import type { QrLoginService } from '../services/qr-login';
import { parse, randomQuery } from '../edge/validation';
import type { LaneRoute } from './lane';
import { renderQrPng } from './qr-png';

/** An image's entity tag: the QR's `random` names it for good (its image never changes). */
const etagOf = (random: string) => `"qr-${random}"`;

/**
 * Whether `If-None-Match` names `etag` (a list, weak forms and `*` included). Not Express's
 * `req.fresh`: it answers in full to any request that also says `Cache-Control: no-cache`, as
 * Node's fetch and a browser's reload do, where an image that never changes can be a 304.
 */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}

/**
 * Images kept at once (about 700 bytes for a QR with no customData, 2 kB with 512 bytes of it:
 * at most ~4 MB); past it the oldest are dropped first and rendered again if asked for.
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

/** The image route, served by the hot lane (./lane.ts). */
export function qrImageRoute(qr: QrLoginService, limiter: RateLimiter, now: () => number): LaneRoute {
  const images = new ImageCache();
  const handle: LaneRoute['handle'] = async (req, res) => {
    await limiter.take('image', req.ip);
    const { random } = parse(randomQuery, req.query);
    const session = await qr.displayable(random).catch((error: unknown) => {
      const gone = error instanceof AppError && (error.key === 'QR_NOT_FOUND' || error.key === 'QR_EXPIRED');
      throw gone ? new AppError('NOT_FOUND', { detail: 'no such QR code' }) : error;
    });
    const secondsLeft = Math.max(0, Math.floor((session.expireAt - now()) / 1000));
    const etag = etagOf(session.random);
    const headers = {
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': `public, max-age=${secondsLeft}, immutable`,
      ETag: etag,
    };
    if (matches(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers).end();
      return;
    }
    const png = await images.get(session.random, session.expireAt, now(), async () => renderQrPng(qrText(session)));
    res.writeHead(200, { ...headers, 'Content-Type': 'image/png', 'Content-Length': png.length }).end(png);
  };
  return { method: 'GET', path: API.qrImage, handle };
}
