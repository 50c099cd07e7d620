/**
 * @module
 * The demo phone page's error box (`#error`, shared by every view) and the busy wrapper that
 * every network action of a view runs in. What the box says is always one of the page's own
 * sentences in its language, chosen by the failure's code (`error-text.ts`) — never the
 * server's text, a code or a stack.
 */
import { QrLoginError, isSignInRequired } from '../../mobile/index';
import { byId } from '../dom';
import { errorSentence } from './error-text';
import type { PhoneStrings } from './strings';

/** The error box and the busy wrapper. */
export interface Feedback {
  /** Shows the page's sentence for `error` (and its code in `data-code` when it has one). */
  show(error: unknown): void;
  /** Shows one of the page's own sentences. */
  say(sentence: string): void;
  /** Empties and hides the box. */
  clear(): void;
  /**
   * Runs `work` with `buttons` disabled; its error lands in the box, except "sign in again"
   * (2020), which goes to `onSignInRequired` instead.
   */
  busy(buttons: HTMLButtonElement[], work: () => Promise<void>): Promise<void>;
}

export interface FeedbackDeps {
  strings: PhoneStrings;
  /** A call said the token is not valid any more (2020): the page signs out and says so. */
  onSignInRequired(): void;
}

/** The box of the page. */
export function createFeedback({ strings, onSignInRequired }: FeedbackDeps): Feedback {
  const box = byId('error');

  const say = (sentence: string, code?: number): void => {
    box.textContent = sentence;
    box.hidden = false;
    if (code) box.dataset.code = String(code);
    else delete box.dataset.code;
  };

  const show = (error: unknown): void => {
    say(errorSentence(error, strings), error instanceof QrLoginError ? error.code : undefined);
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
      if (isSignInRequired(error)) onSignInRequired();
      else show(error);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  };

  return { show, say: (sentence) => say(sentence), clear, busy };
}
