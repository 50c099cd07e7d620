/**
 * @module
 * The demo phone page at `/mobile`: plays the company's app, in English or Simplified
 * Chinese. Log in or register (token kept in `localStorage`, checked with the server at load),
 * read a QR code with the camera (or a photo, or pasted text), show who is asking, then
 * approve or deny; "Signed-in browsers" lists where the user is signed in and signs any of
 * them out; "Log out" revokes the token on the server. Everything that came from the
 * network is inserted as text.
 *
 * A company whose users sign in with its own identity provider hands its access token to the
 * page in the address's fragment: `/mobile#token=<access token>` (URL-encoded), e.g. its app
 * opening the page in a web view after its own sign-in (qrlogin accepts such tokens, README
 * "Use your own accounts"). A fragment, not a query: the browser never sends it to the server
 * nor in `Referer`, so it stays out of server logs. At load (and when the fragment changes on
 * an open page) the page takes it out of the address bar at once (`history.replaceState`,
 * path and query kept), remembers it as it remembers a signed-in token, and checks it with
 * `GET /api/v2/me`: accepted, the top bar shows the profile's nickname and the page goes on to
 * scanning; refused, the sign-in form says "Please sign in again" and nothing is remembered.
 * "Log out" revokes it on the server like any other token. The token is never logged or shown.
 *
 * This entry picks the page's language (`phone/lang.ts`, sentences in `phone/strings.ts`) and
 * wires the views of `phone/`: sign-in (`auth-view.ts`, which checks a remembered token at
 * load), scan (`scan-view.ts`), who is asking (`approve-view.ts`), the outcome
 * (`result-view.ts`) and the signed-in browsers (`sessions-view.ts`), with the shared error
 * box (`feedback.ts`).
 */
import { QrLoginMobileClient } from '../mobile/index';
import { byId } from './dom';
import { createApproveView } from './phone/approve-view';
import { createAuthView } from './phone/auth-view';
import { createFeedback } from './phone/feedback';
import { takeHandedToken } from './phone/handoff';
import { localizePage, pickLang } from './phone/lang';
import { createResultView } from './phone/result-view';
import { createScanView } from './phone/scan-view';
import { createScreens } from './phone/screens';
import { createSessionsView } from './phone/sessions-view';
import { savedToken } from './phone/storage';

// First of all: the token handed in the fragment leaves the address bar.
const handed = takeHandedToken();
const lang = pickLang(location.search, navigator.languages);
const strings = localizePage(lang);
const client = new QrLoginMobileClient({ host: location.origin, token: savedToken() ?? undefined, lang });
const show = createScreens();
// A call refused for want of a valid token signs the phone out: "Please sign in again".
const feedback = createFeedback({ strings, onSignInRequired: () => auth.signOut(true) });

const approve = createApproveView({ client, strings, feedback, show, onDecided: (approved) => result.done(approved) });
const scan = createScanView({ strings, feedback, show, onCode: (random) => approve.ask(random) });
const toScan = () => {
  approve.reset();
  scan.open();
};
const result = createResultView({ strings, feedback, show, onScanAnother: toScan });
const sessions = createSessionsView({ client, strings, lang, feedback, show, onBack: toScan });
byId('open-sessions').addEventListener('click', () => {
  scan.stopCamera();
  void sessions.open();
});
const auth = createAuthView({
  client,
  strings,
  feedback,
  show,
  onSignedIn: toScan,
  onSignOut: () => {
    scan.stopCamera();
    approve.reset();
  },
});

if (handed) auth.adopt(handed);
else auth.resume();

// A web view may hand a new token to the page already open (only the fragment changes).
window.addEventListener('hashchange', () => {
  const token = takeHandedToken();
  if (token) auth.adopt(token);
});
