import type { Subscription } from 'rxjs';
import type { TokenScheduler } from '../timeout-scheduler';
import { envelope, isCrossTabMessage, type CrossTabChannel } from './channel';

export function noop(): void {}

/** Picks one tab among those that joined; the winner refreshes for all. */
export interface LeaderElection {
  /** Starts competing; `onChange` hears every gain and loss of leadership. */
  join(onChange: (isLeader: boolean) => void): void;
  /** Gives leadership up (if held) and stops competing until `join` again. */
  leave(): void;
  /** True when no other tab competes (answers `undefined` when it cannot tell). */
  isAlone?(): Promise<boolean | undefined>;
}

/** The part of `navigator.locks` an election needs. */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void> | void): Promise<unknown>;
  query?(): Promise<{ held?: Array<{ name?: string }>; pending?: Array<{ name?: string }> }>;
}

/**
 * Leadership is holding a Web Lock: the browser grants it to one tab at a time, queues the others and
 * passes it on when the holder leaves, closes or crashes. `onUnavailable` hears a request the browser
 * refused (a sandboxed iframe's SecurityError): no lock will ever be granted.
 */
export function webLocksElection(locks: LockManagerLike, name: string, onUnavailable: (error: unknown) => void = noop): LeaderElection {
  let request: AbortController | undefined;
  let release: (() => void) | undefined;
  let notify: (isLeader: boolean) => void = noop;
  return {
    join(onChange) {
      if (request) return;
      notify = onChange;
      const controller = new AbortController();
      request = controller;
      locks
        .request(name, { signal: controller.signal }, () => {
          if (controller.signal.aborted) return undefined; // granted just as we left
          return new Promise<void>((resolve) => {
            release = resolve;
            notify(true);
          });
        })
        .catch((error: unknown) => {
          // An AbortError after leave() is expected; anything else means Web Locks are unusable here.
          if (controller.signal.aborted) return;
          if (request === controller) request = undefined;
          onUnavailable(error);
        });
    },
    leave() {
      request?.abort();
      request = undefined;
      if (release) {
        release();
        release = undefined;
        notify(false);
      }
    },
    async isAlone() {
      if (!locks.query) return undefined;
      const { held = [], pending = [] } = await locks.query();
      return [...held, ...pending].filter((lock) => lock.name === name).length <= 1;
    },
  };
}

/**
 * Where Web Locks are missing: a lease renewed over the channel. The leader posts `lease` every third
 * of `leaseMs`; when a lease lapses, any tab claims it; two claimants settle on the smaller tab id.
 *
 * A lease is judged by when it was heard, on the monotonic clock (`scheduler.monotonicNow`, else
 * `now`): a wall clock set back (or forward) neither stalls a takeover nor ends a live lease early, and
 * no tab's clock is compared with another's.
 */
export function leaseElection(
  channel: CrossTabChannel,
  scheduler: TokenScheduler,
  tabId: string,
  isVisible: () => boolean,
  leaseMs = 3000,
): LeaderElection {
  let isLeader = false;
  let leaseUntil = -Infinity;
  let timer: Subscription | undefined;
  let unsubscribe: (() => void) | undefined;
  let notify: (isLeader: boolean) => void = noop;
  const post = (message: { type: 'lease'; until: number } | { type: 'lease-release' }) =>
    channel.post(envelope(tabId, isVisible(), message));
  const setLeader = (value: boolean) => {
    if (isLeader === value) return;
    isLeader = value;
    notify(value);
  };
  const elapsed = () => scheduler.monotonicNow?.() ?? scheduler.now();
  const renewIn = () => (timer = scheduler.schedule(tick, leaseMs / 3));
  function tick(): void {
    timer = undefined;
    const now = elapsed();
    if (isLeader || now >= leaseUntil) {
      setLeader(true);
      // `until` is on this tab's own clock: receivers time the lease from hearing it.
      post({ type: 'lease', until: now + leaseMs });
    }
    // Becoming leader may have made this tab leave (a hidden tab yields) and join again, which arms
    // its own timer: renewing as well would leave two timers running, one of them for ever.
    if (unsubscribe && !timer) renewIn();
  }
  return {
    join(onChange) {
      if (unsubscribe) return;
      notify = onChange;
      unsubscribe = channel.subscribe((message: unknown) => {
        if (!isCrossTabMessage(message)) return;
        if (message.type === 'lease') {
          if (isLeader && message.from < tabId) setLeader(false);
          if (!isLeader) leaseUntil = elapsed() + leaseMs; // (a later hearing never shortens it: the clock is monotonic)
        } else if (!isLeader && (message.type === 'lease-release' || message.type === 'bye')) {
          leaseUntil = -Infinity;
        }
      });
      // Listen for a whole lease before claiming, so a new tab does not unseat a live leader.
      leaseUntil = elapsed() + leaseMs;
      renewIn();
    },
    leave() {
      timer?.unsubscribe();
      timer = undefined;
      unsubscribe?.();
      unsubscribe = undefined;
      if (isLeader) post({ type: 'lease-release' });
      setLeader(false); // (join starts the wait for a lease afresh)
    },
  };
}
