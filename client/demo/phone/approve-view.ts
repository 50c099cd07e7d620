/**
 * @module
 * "Who is asking" on the demo phone page (`#confirm-view`): after `scanned`, the app, the
 * website and the browser asking to sign in, then Approve / Deny — or, with number matching,
 * one big button per number instead of Approve.
 */
import type { QrLoginMobileClient, ScannedData } from '../../mobile/index';
import { byId } from '../dom';
import type { Feedback } from './feedback';
import type { ShowScreen } from './screens';
import { fill, type PhoneStrings } from './strings';

/** What the rest of the page needs of the decision view. */
export interface ApproveView {
  /** Tells the server the QR was scanned and shows who is asking (rejects on failure). */
  ask(random: string): Promise<void>;
  /** Forgets the QR being decided on. */
  reset(): void;
}

export interface ApproveViewDeps {
  client: QrLoginMobileClient;
  strings: PhoneStrings;
  feedback: Feedback;
  show: ShowScreen;
  /** The server took the decision. */
  onDecided(approved: boolean): void;
}

/** Wires Approve, Deny and the number buttons. */
export function createApproveView({ client, strings, feedback, show, onDecided }: ApproveViewDeps): ApproveView {
  const approve = byId<HTMLButtonElement>('approve');
  const deny = byId<HTMLButtonElement>('deny');
  const matchBox = byId('match');
  const matchChoices = byId('match-choices');
  const matchButtons = () => [...matchChoices.querySelectorAll<HTMLButtonElement>('button')];
  /** The QR being decided on. */
  let current: string | null = null;

  const showRequester = (info: ScannedData): void => {
    // `null`: a page with an opaque origin (a sandboxed frame), admitted only where an app lists it.
    const sent = info.requester.origin;
    const origin = sent && sent !== 'null' ? sent : strings.unknownWebsite;
    byId('req-app').textContent = info.app.name || info.app.id;
    byId('req-origin').textContent = origin;
    byId('req-browser').textContent = info.requester.browser || info.requester.userAgent || strings.unknown;
    byId('req-os').textContent = info.requester.os || strings.unknown;
    byId('req-ip').textContent = info.requester.ip || strings.unknown;
    byId('req-network').textContent = info.sameNetwork ? strings.sameNetwork : strings.otherNetwork;
    byId('warning').textContent = fill(strings.warning, { origin });
  };

  const decide = (approved: boolean, matchCode?: string): void => {
    const random = current;
    if (!random) return;
    void feedback.busy([approve, deny, ...matchButtons()], async () => {
      if (approved) await client.confirm(matchCode === undefined ? { random } : { random, matchCode });
      else await client.cancel({ random });
      current = null;
      onDecided(approved);
    });
  };

  /** Number matching: one big button per choice instead of Approve. */
  const showChoices = (choices: string[] | null): void => {
    matchBox.hidden = choices === null;
    approve.hidden = choices !== null;
    matchChoices.replaceChildren(
      ...(choices ?? []).map((choice) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'button big';
        button.textContent = choice;
        button.dataset.choice = choice;
        button.addEventListener('click', () => decide(true, choice));
        return button;
      }),
    );
  };

  approve.addEventListener('click', () => decide(true));
  deny.addEventListener('click', () => decide(false));

  const ask = async (random: string): Promise<void> => {
    const info = await client.scanned({ random });
    current = random;
    showRequester(info);
    showChoices(info.matchChoices ?? null);
    show('confirm');
    (matchButtons()[0] ?? approve).focus();
  };

  return {
    ask,
    reset: () => {
      current = null;
    },
  };
}
