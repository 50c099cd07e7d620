/**
 * @module
 * Reads QR codes from the phone's camera: `getUserMedia` into a `<video>`, frames drawn to a
 * canvas about every 150 ms and decoded with `jsqr`, until `accept` takes a code.
 */
import jsQR from 'jsqr';

/** Decode at most this often. */
const FRAME_INTERVAL_MS = 150;
/** Frames are scaled down to this width before decoding (fast enough on a phone). */
const MAX_WIDTH = 640;

/** A running camera scan; {@link stop} releases the camera. */
export interface CameraScan {
  stop(): void;
}

/**
 * Why the camera cannot start, or `null` when it may: `insecure` (the page is neither HTTPS
 * nor localhost), `unsupported` (the browser has no `getUserMedia`). The page words it.
 */
export function cameraUnavailableReason(): 'insecure' | 'unsupported' | null {
  if (!window.isSecureContext) return 'insecure';
  if (!navigator.mediaDevices?.getUserMedia) return 'unsupported';
  return null;
}

/**
 * Starts the back camera and calls `accept(text)` for each QR code it sees; when `accept`
 * returns `true` the camera stops.
 */
export async function startCameraScan(
  video: HTMLVideoElement,
  canvas: HTMLCanvasElement,
  accept: (text: string) => boolean,
): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment' },
    audio: false,
  });
  let stopped = false;
  let frame = 0;
  let last = 0;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    cancelAnimationFrame(frame);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };

  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  try {
    await video.play();
  } catch (error) {
    stop();
    throw error;
  }
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) {
    stop();
    throw new Error('Canvas is not available');
  }

  const tick = (now: number) => {
    if (stopped) return;
    frame = requestAnimationFrame(tick);
    if (now - last < FRAME_INTERVAL_MS || video.readyState < video.HAVE_CURRENT_DATA) return;
    last = now;
    const scale = Math.min(1, MAX_WIDTH / (video.videoWidth || MAX_WIDTH));
    const width = Math.max(1, Math.round(video.videoWidth * scale));
    const height = Math.max(1, Math.round(video.videoHeight * scale));
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    const image = context.getImageData(0, 0, width, height);
    const code = jsQR(image.data, width, height, { inversionAttempts: 'attemptBoth' });
    if (code?.data && accept(code.data)) stop();
  };
  frame = requestAnimationFrame(tick);
  return { stop };
}

/** Reads a QR code from a photo (a file the user took or chose); null when none is found. */
export async function readQrFromPhoto(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('Canvas is not available');
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const image = context.getImageData(0, 0, width, height);
  return jsQR(image.data, width, height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}
