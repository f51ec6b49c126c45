import type { AccessToken } from '../access-token';
import { TokenError } from '../errors';
import { MIN_REQUEST_INTERVAL_MS } from '../refresh-policy';
import type { FetchReason } from '../token-source';
import { after, msUntilEarliest, msUntilGate, type Now, type Stamp } from './clock';
import type { Demand, HeldToken, LifecycleState } from './state';

// While active, never sleep longer than this, so a machine that slept re-checks soon after waking
// even when the page gets no event.
export const MAX_CHECK_INTERVAL_MS = 60_000;

/** What the runtime should do now. */
export interface Plan {
  /** Send a request now, for this reason. */
  readonly request?: FetchReason;
  /** The request in flight (this id) is past its deadline: give up on it. */
  readonly timedOut?: number;
  /** Check again after this long (ms), unless something happens first. */
  readonly wakeInMs?: number;
  /** When the next request is due (wall clock), while one is planned and none is in flight. */
  readonly nextRequestAt?: number;
}

/** How a waiting caller fares now: answered, turned down, or still waiting (`undefined`). */
export type Decision = { readonly token: AccessToken } | { readonly error: TokenError } | undefined;

const validFor = (held: HeldToken | undefined, now: Now): number =>
  held === undefined ? -Infinity : msUntilEarliest(held.expiresAt, now);

/** Whether `held` can serve a caller that needs `minValidityMs`, once it is usable. */
const serves = (held: HeldToken | undefined, minValidityMs: number, now: Now): boolean =>
  held !== undefined && validFor(held, now) - Math.max(0, msUntilGate(held.usableAt, now)) >= Math.max(minValidityMs, 1);

/** The `Retry-After` window, while it lasts and nothing is in flight: no request may go. */
function quietError(state: LifecycleState, now: Now): TokenError | undefined {
  if (state.request !== undefined || state.quietUntil === undefined || msUntilGate(state.quietUntil, now) <= 0) return undefined;
  return (
    state.failure?.error ??
    new TokenError('http', 'The token endpoint asked to wait (Retry-After)', { retryAt: state.quietUntil.wall })
  );
}

/** What `getToken()` or `refresh()` gets now. */
export function decide(state: LifecycleState, demand: Demand, now: Now): Decision {
  const { current, failure } = state;
  if (demand.kind === 'refresh') {
    if (current !== undefined && current.requestId >= demand.fromRequest) return { token: current.token };
  } else {
    if (current !== undefined && validFor(current, now) >= Math.max(demand.minValidityMs, 1)) return { token: current.token };
    if (current !== undefined && current.requestId >= demand.fromRequest) {
      const lifetime = current.token.expiresAt - current.token.issuedAt;
      return {
        error: new TokenError(
          'invalid-token',
          `No token can stay valid for minValidityMs = ${demand.minValidityMs} ms: a fresh one lasts ${Math.round(lifetime / 1000)} s`,
          { retryable: false },
        ),
      };
    }
    // After a 401/403 (or a token for someone else) only `refresh()` asks again.
    if (state.halted !== undefined && state.halted !== 'exhausted' && state.request === undefined && failure) {
      return { error: failure.error };
    }
  }
  if (failure !== undefined && failure.requestId >= demand.fromRequest) return { error: failure.error };
  const quiet = quietError(state, now);
  return quiet && { error: quiet };
}

/** Whether a waiting caller needs a request, rather than a token already on its way. */
function needsRequest(state: LifecycleState, demand: Demand, now: Now): boolean {
  if (demand.kind === 'refresh') return (state.pending?.requestId ?? -1) < demand.fromRequest;
  if (serves(state.pending, demand.minValidityMs, now)) return false;
  // A new tab's first token may come from another tab in a moment.
  return state.peerWaitUntil === undefined || state.current !== undefined;
}

const NO_PLAN: Plan = {};

/** Decides what to do next. Pure: the same state and clock give the same plan. */
export function plan(state: LifecycleState, now: Now): Plan {
  if (state.phase === 'stopped') return NO_PLAN;
  const { request, current, pending, peerWaitUntil } = state;
  const isActive = state.phase === 'active';
  // Idle and unasked, nothing needs a timer: a read brings the state up to the clock.
  if (!isActive && request === undefined && state.demands.length === 0) return NO_PLAN;
  const waits: number[] = [];
  if (current !== undefined) waits.push(validFor(current, now));
  if (pending !== undefined) waits.push(msUntilGate(pending.usableAt, now));
  if (peerWaitUntil !== undefined) waits.push(msUntilGate(peerWaitUntil, now));
  if (isActive) waits.push(MAX_CHECK_INTERVAL_MS);

  if (request !== undefined) {
    const untilDeadline = msUntilGate(request.deadline, now);
    if (untilDeadline <= 0) return { timedOut: request.id };
    return { wakeInMs: Math.max(0, Math.min(untilDeadline, ...waits)) };
  }

  const wanted = state.demands.filter((demand) => decide(state, demand, now) === undefined && needsRequest(state, demand, now));
  let reason: FetchReason | undefined;
  let dueIn = 0;
  if (wanted.length > 0) {
    reason = wanted.some((d) => d.kind === 'refresh') ? 'refresh' : wanted.some((d) => d.kind === 'get') ? 'demand' : 'hint';
  } else if (isActive && state.halted === undefined && !state.isOffline && pending === undefined) {
    const background = backgroundRequest(state, now);
    reason = state.isWaking ? 'wake' : background.reason;
    dueIn = background.dueIn;
  }
  if (reason === undefined) return waits.length > 0 ? { wakeInMs: Math.max(0, Math.min(...waits)) } : NO_PLAN;

  const gateIn = Math.max(
    state.lastSentAt === undefined ? 0 : msUntilGate(after(state.lastSentAt, MIN_REQUEST_INTERVAL_MS), now),
    state.quietUntil === undefined ? 0 : msUntilGate(state.quietUntil, now),
  );
  const requestIn = Math.max(dueIn, gateIn);
  if (requestIn <= 0) return { request: reason };
  return { wakeInMs: Math.min(requestIn, ...waits), nextRequestAt: now.wall + requestIn };
}

/** When the background schedule wants the next request, and why. */
function backgroundRequest(state: LifecycleState, now: Now): { reason: FetchReason; dueIn: number } {
  const { current, retryAt, peerWaitUntil } = state;
  if (retryAt !== undefined) return { reason: 'retry', dueIn: msUntilGate(retryAt, now) };
  if (current === undefined) {
    return { reason: 'initial', dueIn: peerWaitUntil === undefined ? 0 : msUntilGate(peerWaitUntil, now) };
  }
  // A follower leaves the refresh to the refresher, and steps in halfway through the window if no token came.
  const refreshAt: Stamp =
    state.role === 'follower' ? after(current.refreshAt, (current.expiresAt.wall - current.refreshAt.wall) / 2) : current.refreshAt;
  return { reason: 'scheduled', dueIn: msUntilEarliest(refreshAt, now) };
}
