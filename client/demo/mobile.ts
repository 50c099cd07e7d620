/**
 * @module
 * The demo phone page at `/mobile`: plays the company's app. Log in or register (token kept
 * in `localStorage`), read a QR code with the camera (or a photo, or pasted text), show who
 * is asking, then approve or deny; "Log out" revokes the token on the server. Everything that
 * came from the network is inserted as text.
 *
 * This entry only wires the views of `phone/`: sign-in (`auth-view.ts`), scan
 * (`scan-view.ts`), who is asking (`approve-view.ts`) and the outcome (`result-view.ts`), with
 * the shared error box (`feedback.ts`).
 */
import { QrLoginMobileClient } from '../mobile';
import { createApproveView } from './phone/approve-view';
import { createAuthView } from './phone/auth-view';
import { createFeedback } from './phone/feedback';
import { createResultView } from './phone/result-view';
import { createScanView } from './phone/scan-view';
import { createScreens } from './phone/screens';
import { savedToken } from './phone/storage';

const client = new QrLoginMobileClient({ host: location.origin, token: savedToken() ?? undefined });
const show = createScreens();
// A call refused for want of a valid token signs the phone out.
const feedback = createFeedback(() => auth.signOut());

const approve = createApproveView({ client, feedback, show, onDecided: (approved) => result.done(approved) });
const scan = createScanView({ feedback, show, onCode: (random) => approve.ask(random) });
const toScan = () => {
  approve.reset();
  scan.open();
};
const result = createResultView({ feedback, show, onScanAnother: toScan });
const auth = createAuthView({
  client,
  feedback,
  show,
  onSignedIn: toScan,
  onSignOut: () => {
    scan.stopCamera();
    approve.reset();
  },
});

auth.resume();
