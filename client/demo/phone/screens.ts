/**
 * @module
 * The sections of the demo phone page, exactly one visible at a time.
 */
import { byId, showOnly } from '../dom';

/** The page's views, by name. */
export type ScreenName = 'checking' | 'auth' | 'scan' | 'confirm' | 'result';

/** Shows one view and hides the others. */
export type ShowScreen = (name: ScreenName) => void;

/**
 * The switch between `#checking-view` (a remembered token is being checked), `#auth-view`,
 * `#scan-view`, `#confirm-view` and `#result-view`.
 */
export function createScreens(): ShowScreen {
  const screens: Record<ScreenName, HTMLElement> = {
    checking: byId('checking-view'),
    auth: byId('auth-view'),
    scan: byId('scan-view'),
    confirm: byId('confirm-view'),
    result: byId('result-view'),
  };
  return (name) => showOnly(Object.values(screens), screens[name]);
}
