import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * Where all timing happens: an rxjs scheduler, plus (optionally) a monotonic clock. The manager reads
 * the wall clock with `now()` and the monotonic one with `monotonicNow()` (`now()` when absent), and
 * nothing else: a virtual scheduler drives it completely.
 */
export type TokenScheduler = SchedulerLike & { monotonicNow?: () => number };

/**
 * The default scheduler: `setTimeout`, `Date.now` and `performance.now` (where there is one), read at
 * call time so fake timers drive it. It does what rxjs's `asyncScheduler` does for the manager,
 * without its weight in the bundle.
 */
export const timeoutScheduler: TokenScheduler = {
  now: () => Date.now(),
  monotonicNow: (globalThis as { performance?: Partial<Performance> }).performance?.now ? () => performance.now() : undefined,
  // Runs `work` once. Nothing in this library reschedules from inside `work` (rxjs operators do, with
  // their own schedulers), so the action is a plain Subscription that cancels the timeout.
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const handle = setTimeout(() => work.call(action as SchedulerAction<T>, state), delay);
    const action = new Subscription(() => clearTimeout(handle));
    return action;
  },
};
