import type { SchedulerLike, Subscription } from 'rxjs';

// setTimeout fires at once for delays past 2^31−1 ms (about 24.8 days), so longer waits are chained.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Runs `work` at `dueAt` on the scheduler's clock. Unsubscribe to cancel. */
export function scheduleAt(scheduler: SchedulerLike, dueAt: number, work: () => void): Subscription {
  const delay = Math.max(0, dueAt - scheduler.now());
  return scheduler.schedule(function (this: { schedule(state?: unknown, delay?: number): unknown }) {
    const remaining = dueAt - scheduler.now();
    if (remaining > 0) this.schedule(undefined, Math.min(remaining, MAX_TIMEOUT_MS));
    else work();
  }, Math.min(delay, MAX_TIMEOUT_MS));
}
