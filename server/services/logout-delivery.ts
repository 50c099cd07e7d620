/**
 * @module
 * OpenID Connect Back-Channel Logout 1.0 delivery: a logout token POSTed as a form
 * (`logout_token=…`) to the app's `backchannelLogoutUri`, for every sign-out — from the phone
 * (sign-ins.ts) and from the provider's own RP-initiated logout (server/oidc/provider.ts).
 * A failure (a network error, a timeout, an answer other than 200 or 204) is retried after
 * growing, jittered delays; each attempt carries a freshly signed token (new `jti`, `iat`),
 * since a logout token lives two minutes. Retries are kept in this process: an instance that
 * stops drops its pending ones (logged at `warn` as given up).
 */
import type { TokenService } from '../auth/tokens';
import type { Logger } from '../logger';
import type { AppRegistry } from './apps';
import type { SendLogout } from './sign-ins';

export interface LogoutDeliveryOptions {
  /** The waits before each retry, in ms; their count is the number of retries. */
  retryDelaysMs: readonly number[];
  /** How long one attempt may take. */
  attemptTimeoutMs: number;
}

/** 6 attempts over about 36 minutes: a website restarting or briefly down still hears of it. */
export const DEFAULT_LOGOUT_DELIVERY: LogoutDeliveryOptions = {
  retryDelaysMs: [2_000, 10_000, 60_000, 5 * 60_000, 30 * 60_000],
  attemptTimeoutMs: 5_000,
};

export interface LogoutDelivery {
  send: SendLogout;
  /** Drops the pending retries (shutdown). */
  close(): void;
}

/** `delay` ± 25 %, so the retries of many sign-outs do not arrive together. */
const jitter = (delay: number): number => Math.round(delay * (0.75 + Math.random() * 0.5));

export function createLogoutDelivery(
  deps: { tokens: TokenService; apps: AppRegistry; logger: Logger },
  options: LogoutDeliveryOptions = DEFAULT_LOGOUT_DELIVERY,
): LogoutDelivery {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  async function attempt(uri: string, token: string): Promise<string | null> {
    try {
      const response = await fetch(uri, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }),
        signal: AbortSignal.timeout(options.attemptTimeoutMs),
      });
      await response.body?.cancel();
      return response.status === 200 || response.status === 204 ? null : `answered ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause?.code;
      return error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : `unreachable (${String(cause ?? 'network error')})`;
    }
  }

  const send: SendLogout = (signIn) => {
    const uri = deps.apps.get(signIn.appId)?.backchannelLogoutUri;
    if (uri === undefined) return;
    if (closed) {
      deps.logger.warn('back-channel logout given up: shutting down', { appId: signIn.appId });
      return;
    }
    const run = async (tried: number): Promise<void> => {
      const token = deps.tokens.signLogoutToken({ sub: signIn.userId, sid: signIn.id, aud: signIn.appId });
      const problem = await attempt(uri, token);
      const fields = { appId: signIn.appId, attempt: tried + 1 };
      if (problem === null) {
        deps.logger.info('back-channel logout delivered', fields);
        return;
      }
      const delay = options.retryDelaysMs[tried];
      if (delay === undefined || closed) {
        deps.logger.warn('back-channel logout given up', { ...fields, problem });
        return;
      }
      deps.logger.warn('back-channel logout failed, will retry', { ...fields, problem, retryInMs: delay });
      const timer = setTimeout(() => {
        timers.delete(timer);
        start(tried + 1);
      }, jitter(delay));
      timer.unref();
      timers.add(timer);
    };
    const start = (tried: number) => {
      run(tried).catch((error: unknown) => deps.logger.error('back-channel logout failed', { appId: signIn.appId, error }));
    };
    start(0);
  };

  return {
    send,
    close() {
      closed = true;
      if (timers.size > 0) deps.logger.warn('back-channel logouts given up at shutdown', { pending: timers.size });
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
