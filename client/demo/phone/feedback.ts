/**
 * @module
 * The demo phone page's error box (`#error`, shared by every view) and the busy wrapper that
 * every network action of a view runs in.
 */
import { errorCode, isNotLoggedIn, messageOf } from '../../common/errors';
import { QrLoginError } from '../../mobile';
import { byId } from '../dom';

/** The error box and the busy wrapper. */
export interface Feedback {
  /** Shows `error`'s message (and its code in `data-code` when the server sent one). */
  show(error: unknown): void;
  /** Empties and hides the box. */
  clear(): void;
  /** Runs `work` with `buttons` disabled; its error lands in the box. */
  busy(buttons: HTMLButtonElement[], work: () => Promise<void>): Promise<void>;
}

/** `onNotLoggedIn` runs when a call says the token is not valid any more (before the message shows). */
export function createFeedback(onNotLoggedIn: () => void): Feedback {
  const box = byId('error');

  const show = (error: unknown): void => {
    box.textContent = messageOf(error);
    box.hidden = false;
    if (error instanceof QrLoginError) box.dataset.code = String(error.code);
    else delete box.dataset.code;
  };

  const clear = (): void => {
    box.textContent = '';
    box.hidden = true;
    delete box.dataset.code;
  };

  const busy = async (buttons: HTMLButtonElement[], work: () => Promise<void>): Promise<void> => {
    clear();
    for (const button of buttons) button.disabled = true;
    try {
      await work();
    } catch (error) {
      if (isNotLoggedIn(errorCode(error))) onNotLoggedIn();
      show(error);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  };

  return { show, clear, busy };
}
