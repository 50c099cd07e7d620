/**
 * @module
 * Typed domain events. Services emit; the realtime layer (push) and the logger subscribe, so
 * neither transport nor logging lives in the use cases. A failing listener never breaks the
 * use case that emitted: its error goes to `onListenerError`.
 */
import type { QrAction } from '../../shared/state-machine';
import type { QrSession } from '../domain/qr-session';

export interface DomainEvents {
  'qr.created': { session: QrSession };
  /**
   * A stored transition happened (written to the store before this is emitted). `userId`: the
   * user whose phone acted, which the session does not record for a cancel before any scan.
   */
  'qr.changed': { session: QrSession; action: QrAction['type']; userId?: string };
  'qr.redeemed': {
    random: string;
    appId: string;
    userId: string;
    via: 'app-secret' | 'browser' | 'oidc';
    /** The browser that showed the QR (absent for tickets written before 0.3). */
    requester?: { ip: string; browser: string; os: string };
  };
  /**
   * A QR's deadline passed undecided (expiry is derived from `expireAt`, never written): told
   * once per QR, by the expiry sweep of one instance (./expiry-sweep.ts) within about a second
   * of the deadline, whoever watched the QR (sockets, a poller, nobody).
   */
  'qr.expired': { session: QrSession };
  /**
   * A `userinfo` for an existing ticket was refused: a wrong app secret (`app-secret`), an app
   * that allows only server-side exchange asked from the browser (`browser-exchange-off`), or
   * a missing or wrong browser secret (`browser-secret`). Never the secret itself.
   */
  'qr.redeem_refused': {
    random: string;
    appId: string;
    reason: 'app-secret' | 'browser-exchange-off' | 'browser-secret' | 'oidc-interaction';
  };
  'user.registered': { userId: string; username: string };
  'user.login': { userId: string };
  /** `userId`: the account the attempt named, when there is one (never the text typed). */
  'user.login_failed': { userId: string | null };
}

export type EventName = keyof DomainEvents;
export type Listener<E extends EventName> = (payload: DomainEvents[E]) => void;

export interface EventBus {
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
  emit<E extends EventName>(event: E, payload: DomainEvents[E]): void;
}

export function createEventBus(onListenerError: (error: unknown, event: EventName) => void): EventBus {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          (listener as Listener<typeof event>)(payload);
        } catch (error) {
          onListenerError(error, event);
        }
      }
    },
  };
}
