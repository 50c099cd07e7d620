/**
 * @module
 * The demo phone page at `/mobile`: plays the company's app, in English or Simplified
 * Chinese. Log in or register (token kept in `localStorage`, checked with the server at load),
 * read a QR code with the camera (or a photo, or pasted text), show who is asking, then
 * approve or deny; "Log out" revokes the token on the server. Everything that came from the
 * network is inserted as text.
 *
 * This entry picks the page's language (`phone/lang.ts`, sentences in `phone/strings.ts`) and
 * wires the views of `phone/`: sign-in (`auth-view.ts`, which checks a remembered token at
 * load), scan (`scan-view.ts`), who is asking (`approve-view.ts`) and the outcome
 * (`result-view.ts`), with the shared error box (`feedback.ts`).
 */
import { QrLoginMobileClient } from '../mobile';
import { createApproveView } from './phone/approve-view';
import { createAuthView } from './phone/auth-view';
import { createFeedback } from './phone/feedback';
import { localizePage, pickLang } from './phone/lang';
import { createResultView } from './phone/result-view';
import { createScanView } from './phone/scan-view';
import { createScreens } from './phone/screens';
import { savedToken } from './phone/storage';

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

auth.resume();
