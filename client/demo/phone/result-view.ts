/**
 * @module
 * The end of a decision on the demo phone page (`#result-view`): "Approved" or "Denied"
 * (also in `data-outcome`), and "Scan another". Errors of any view show in `#error`
 * (`feedback.ts`).
 */
import { byId } from '../dom';
import type { Feedback } from './feedback';
import type { ShowScreen } from './screens';
import type { PhoneStrings } from './strings';

/** What the rest of the page needs of the result view. */
export interface ResultView {
  /** Shows the outcome of a decision. */
  done(approved: boolean): void;
}

export interface ResultViewDeps {
  strings: PhoneStrings;
  feedback: Feedback;
  show: ShowScreen;
  /** "Scan another" was pressed. */
  onScanAnother(): void;
}

/** Wires "Scan another". */
export function createResultView({ strings, feedback, show, onScanAnother }: ResultViewDeps): ResultView {
  const result = byId('result');

  byId('scan-another').addEventListener('click', () => {
    feedback.clear();
    onScanAnother();
  });

  return {
    done(approved) {
      result.textContent = approved ? strings.approved : strings.denied;
      result.dataset.outcome = approved ? 'approved' : 'denied';
      show('result');
    },
  };
}
