/**
 * @module
 * The sections of the demo phone page, exactly one visible at a time.
 */
import { byId, showOnly } from '../dom';

/** The page's views, by name. */
export type ScreenName = 'checking' | 'auth' | 'scan' | 'confirm' | 'result' | 'sessions';

/** Shows one view and hides the others. */
export type ShowScreen = (name: ScreenName) => void;

/**
 * The switch between `#checking-view` (a remembered token is being checked), `#auth-view`,
 * `#scan-view`, `#confirm-view`, `#result-view` and `#sessions-view` (signed-in browsers).
 */
export function createScreens(): ShowScreen {
  const screens: Record<ScreenName, HTMLElement> = {
    checking: byId('checking-view'),
    auth: byId('auth-view'),
    scan: byId('scan-view'),
    confirm: byId('confirm-view'),
    result: byId('result-view'),
    sessions: byId('sessions-view'),
  };
  return (name) => showOnly(Object.values(screens), screens[name]);
}
