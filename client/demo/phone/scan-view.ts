/**
 * @module
 * Reading a QR code on the demo phone page (`#scan-view`): with the camera, from a photo, or
 * from pasted text. A qrlogin code hands its `random` on to "who is asking".
 */
import { parseQrCode } from '../../mobile/index';
import { cameraUnavailableReason, readQrFromPhoto, startCameraScan, type CameraScan } from '../camera';
import { byId } from '../dom';
import { cameraErrorKey } from './error-text';
import type { Feedback } from './feedback';
import type { ShowScreen } from './screens';
import type { PhoneStrings } from './strings';

/** What the rest of the page needs of the scan view. */
export interface ScanView {
  /** Shows the view with an empty text box. */
  open(): void;
  /** Releases the camera, if it runs. */
  stopCamera(): void;
}

export interface ScanViewDeps {
  strings: PhoneStrings;
  feedback: Feedback;
  show: ShowScreen;
  /** A qrlogin code was read: ask the server who is asking (errors land in `#error`). */
  onCode(random: string): Promise<void>;
}

/** Wires the camera, photo and paste controls. */
export function createScanView({ strings, feedback, show, onCode }: ScanViewDeps): ScanView {
  const qrText = byId<HTMLTextAreaElement>('qr-text');
  const qrSubmit = byId<HTMLButtonElement>('qr-submit');
  const qrPhoto = byId<HTMLInputElement>('qr-photo');
  const scanCamera = byId<HTMLButtonElement>('scan-camera');
  const cameraBox = byId('camera');
  const cameraHint = byId('camera-hint');
  const video = byId<HTMLVideoElement>('video');
  const frame = byId<HTMLCanvasElement>('frame');
  let camera: CameraScan | null = null;

  const stopCamera = (): void => {
    camera?.stop();
    camera = null;
    cameraBox.hidden = true;
    scanCamera.hidden = false;
  };

  /** Handles the text of a QR code; `false` when it is not a qrlogin code. */
  const useQrText = (text: string): boolean => {
    let random: string;
    try {
      random = parseQrCode(text).random;
    } catch {
      return false;
    }
    stopCamera();
    void feedback.busy([qrSubmit], () => onCode(random));
    return true;
  };

  qrPhoto.addEventListener('change', () => {
    feedback.clear();
    const file = qrPhoto.files?.[0];
    qrPhoto.value = '';
    if (!file) return;
    readQrFromPhoto(file).then(
      (text) => {
        if (text === null) feedback.say(strings.noQrInPhoto);
        else if (!useQrText(text)) feedback.say(strings.notSignInCode);
      },
      () => feedback.say(strings.notPicture),
    );
  });

  scanCamera.addEventListener('click', () => {
    feedback.clear();
    const reason = cameraUnavailableReason();
    if (reason) {
      feedback.say(reason === 'insecure' ? strings.cameraNeedsHttps : strings.cameraUnsupported);
      return;
    }
    scanCamera.hidden = true;
    cameraBox.hidden = false;
    cameraHint.textContent = strings.cameraLooking;
    let warned = false;
    startCameraScan(video, frame, (text) => {
      const accepted = useQrText(text);
      if (!accepted && !warned) {
        warned = true;
        cameraHint.textContent = strings.cameraKeepLooking;
      }
      return accepted;
    }).then(
      (scan) => {
        // The user may have pressed "stop" (or a code was read) while the camera started.
        if (cameraBox.hidden) scan.stop();
        else camera = scan;
      },
      (error: unknown) => {
        stopCamera();
        // A sentence for each way the camera can refuse ("Requested device not found" is
        // NotFoundError: this device has no camera), never the browser's own text.
        feedback.say(strings[cameraErrorKey(error, window.isSecureContext)]);
      },
    );
  });

  byId('stop-camera').addEventListener('click', stopCamera);

  qrSubmit.addEventListener('click', () => {
    feedback.clear();
    if (!useQrText(qrText.value)) {
      feedback.say(strings.notQrText);
    }
  });

  const open = (): void => {
    qrText.value = '';
    show('scan');
  };

  return { open, stopCamera };
}
