import type { TokenState } from '../token-state';
import type { Effect } from './effects';
import { decide, plan, type Plan } from './plan';
import { timeoutError, transition } from './reduce';
import type { LifecycleEvent, LifecycleState } from './state';
import { view } from './view';

/** One event's whole consequence: the state it leads to, what to do, and the snapshot to publish. */
export interface Step {
  readonly state: LifecycleState;
  /** In the order they must be carried out. */
  readonly effects: readonly Effect[];
  readonly snapshot: TokenState;
}

/**
 * Applies `event`, then follows the plan until it only waits: callers the state now answers are
 * settled, a request past its deadline fails as a timeout, a request that is due starts, and the next
 * check is set. `random` draws a timeout's backoff jitter in [0, 1), only when one times out (so how
 * often the state is read does not change the jitter). Pure, given a pure `random`.
 */
export function step(state: LifecycleState, event: LifecycleEvent, random: () => number): Step {
  const { now } = event;
  const fx: Effect[] = [];
  let s = transition(state, event, fx);
  let next: Plan = {};
  while (s.phase !== 'stopped') {
    // Each waiting caller, decided against the state as it is by then.
    for (const demand of s.demands) {
      const answer = decide(s, demand, now);
      if (!answer) continue;
      fx.push({ type: 'settle', id: demand.id, answer });
      s = transition(s, { type: 'demand-dropped', now, id: demand.id }, fx);
    }
    next = plan(s, now);
    const { timedOut, request } = next;
    if (timedOut !== undefined) {
      fx.push({ type: 'abort', id: timedOut, error: timeoutError(s) });
      s = transition(s, { type: 'request-failed', now, id: timedOut, error: timeoutError(s), random: random() }, fx);
    } else if (request) {
      s = transition(s, { type: 'request-started', now, reason: request }, fx);
    } else {
      fx.push({ type: 'wake-at', inMs: next.wakeInMs, from: now });
      break;
    }
  }
  return { state: s, effects: fx, snapshot: view(s, next) };
}
