/**
 * @module
 * Number matching, decided purely: the browser shows `code`, the phone offers `choices` (the
 * code and two decoys) and `confirm` carries the pick. A right pick (or an app without number
 * matching) confirms; a wrong one cancels the QR: with three choices, allowing more than one
 * wrong pick would let a blind guesser always win. A confirm without a pick (an old client
 * that cannot show the choices) is neither: it is refused and not counted as a guess.
 */
import type { NumberMatch } from './qr-session';

export type MatchDecision = 'confirm' | 'cancel' | 'unanswered';

export function decideMatch(match: NumberMatch | null, pick: string | null): MatchDecision {
  if (!match) return 'confirm';
  if (pick === null) return 'unanswered';
  return pick === match.code ? 'confirm' : 'cancel';
}
