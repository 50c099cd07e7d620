/**
 * @module
 * "Signed-in browsers" on the demo phone page (`#sessions-view`), like WhatsApp's linked
 * devices: every browser the user signed in on by scanning (`client.sessions()`, newest
 * first) — the app, the browser on its system, its IP address and when, in the page's
 * language — each with "Sign out" (`client.signOut({ id })`). After a sign-out the list is
 * asked for again and `#sessions-status` says what happened; a 404 means the browser was
 * signed out already (elsewhere, or it expired): the page says so and refreshes too. Other
 * failures land in the shared error box, in the page's own sentences. Everything that came
 * from the network is inserted as text.
 */
import { QR_LOGIN_ERROR_CODES, errorCode, type Lang, type QrLoginMobileClient, type SignedInBrowser } from '../../mobile/index';
import { byId } from '../dom';
import type { Feedback } from './feedback';
import type { ShowScreen } from './screens';
import { fill, type PhoneStrings } from './strings';

/** What the rest of the page needs of the signed-in browsers view. */
export interface SessionsView {
  /** Shows the view and loads the list (errors land in `#error`). */
  open(): Promise<void>;
}

export interface SessionsViewDeps {
  client: QrLoginMobileClient;
  strings: PhoneStrings;
  lang: Lang;
  feedback: Feedback;
  show: ShowScreen;
  /** "Back to scanning" was pressed. */
  onBack(): void;
}

/** Wires the list, its "Sign out" buttons and "Back to scanning". */
export function createSessionsView({ client, strings, lang, feedback, show, onBack }: SessionsViewDeps): SessionsView {
  const list = byId<HTMLUListElement>('sessions-list');
  const empty = byId('sessions-empty');
  const loading = byId('sessions-loading');
  const status = byId('sessions-status');
  const dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });

  const known = (value: string | undefined): string => (value && value !== 'unknown' ? value : strings.unknown);
  const describe = (browser: SignedInBrowser) => ({
    app: browser.app.name || browser.app.id,
    browser: known(browser.browser),
    os: known(browser.os),
  });
  const when = (iso: string): string => {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? strings.unknown : dates.format(date);
  };

  const say = (sentence: string): void => {
    status.textContent = sentence;
    status.hidden = sentence === '';
  };

  const line = (className: string, text: string): HTMLElement => {
    const element = document.createElement('span');
    element.className = className;
    element.textContent = text;
    return element;
  };

  const row = (browser: SignedInBrowser): HTMLLIElement => {
    const names = describe(browser);
    const item = document.createElement('li');
    item.className = 'browser-row';
    item.dataset.sessionId = browser.id;
    const text = document.createElement('div');
    text.className = 'browser-text';
    text.append(
      line('browser-app', names.app),
      line('browser-name', fill(strings.browserOnOs, names)),
      line('browser-meta muted', `${known(browser.ip)} · ${fill(strings.signedInAt, { when: when(browser.createdAt) })}`),
    );
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button secondary sign-out';
    button.textContent = strings.signOutBrowser;
    button.addEventListener('click', () => void signOut(browser, button));
    item.append(text, button);
    return item;
  };

  const render = (browsers: SignedInBrowser[]): void => {
    list.replaceChildren(...browsers.map(row));
    list.hidden = browsers.length === 0;
    empty.hidden = browsers.length > 0;
  };

  const load = async (): Promise<void> => {
    render(await client.sessions());
  };

  const signOut = (browser: SignedInBrowser, button: HTMLButtonElement): Promise<void> =>
    feedback.busy([button], async () => {
      say('');
      try {
        await client.signOut({ id: browser.id });
        say(fill(strings.browserSignedOut, describe(browser)));
      } catch (error) {
        if (errorCode(error) !== QR_LOGIN_ERROR_CODES.NOT_FOUND) throw error;
        say(strings.browserAlreadySignedOut);
      }
      await load();
    });

  byId('sessions-back').addEventListener('click', () => {
    feedback.clear();
    onBack();
  });

  return {
    async open() {
      say('');
      list.replaceChildren();
      list.hidden = true;
      empty.hidden = true;
      loading.hidden = false;
      show('sessions');
      await feedback.busy([], async () => {
        try {
          await load();
        } finally {
          loading.hidden = true;
        }
      });
    },
  };
}
