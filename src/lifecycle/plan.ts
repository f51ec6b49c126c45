import type { AccessToken } from '../access-token';
import { TokenError } from '../errors';
import { MIN_REQUEST_INTERVAL_MS } from '../refresh-policy';
import { after, msUntilEarliest, msUntilGate, type Now, type Stamp } from './clock';
import type { Demand, FetchReason, LifecycleState } from './state';

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

/** What `getToken()` or `refresh()` gets now. */
export function decide(state: LifecycleState, demand: Demand, now: Now): Decision {
  const { current, failure } = state;
  const isRefresh = demand.kind === 'refresh';
  // A `refresh()` takes only a token from its own request or a later one; the others, any that lasts.
  if (current && (isRefresh ? current.requestId >= demand.fromRequest : msUntilEarliest(current.expiresAt, now) >= Math.max(demand.minValidityMs, 1))) {
    return { token: current.token };
  }
  if (!isRefresh && current && current.requestId >= demand.fromRequest) {
    const lifetime = current.token.expiresAt - current.token.issuedAt;
    return {
      error: new TokenError(
        'invalid-token',
        `No token can stay valid for minValidityMs = ${demand.minValidityMs} ms: a fresh one lasts ${Math.round(lifetime / 1000)} s`,
        { retryable: false },
      ),
    };
  }
  // The failure of this caller's request; or, after a 401/403 (or a token for someone else), the
  // failure that halted the manager: only `refresh()` asks again.
  if (failure && (failure.requestId >= demand.fromRequest || (!isRefresh && state.halted && state.halted !== 'exhausted' && !state.request))) {
    return { error: failure.error };
  }
  // The `Retry-After` window, while it lasts and nothing is in flight: no request may go.
  if (!state.request && msUntilGate(state.quietUntil, now) > 0) {
    return { error: failure?.error ?? new TokenError('http', 'The token endpoint asked to wait (Retry-After)', { retryAt: state.quietUntil!.wall }) };
  }
  return undefined;
}

/** Whether a waiting caller needs a request, rather than a token already on its way. */
function needsRequest({ pending, peerWaitUntil, current }: LifecycleState, demand: Demand, now: Now): boolean {
  if (demand.kind === 'refresh') return (pending?.requestId ?? -1) < demand.fromRequest;
  // A pending token serves a caller once usable, if it then still lasts long enough.
  if (pending && msUntilEarliest(pending.expiresAt, now) - Math.max(0, msUntilGate(pending.usableAt, now)) >= Math.max(demand.minValidityMs, 1)) return false;
  // A new tab's first token may come from another tab in a moment.
  return !peerWaitUntil || !!current;
}

/** Decides what to do next. Pure: the same state and clock give the same plan. */
export function plan(state: LifecycleState, now: Now): Plan {
  const { phase, request, current, pending, peerWaitUntil } = state;
  const isActive = phase === 'active';
  // Stopped, or idle and unasked: nothing needs a timer (a read brings the state up to the clock).
  if (phase === 'stopped' || (!isActive && !request && !state.demands.length)) return {};
  // The soonest moment the state changes by itself (Infinity: none).
  const wakeIn = Math.min(
    isActive ? MAX_CHECK_INTERVAL_MS : Infinity,
    current ? msUntilEarliest(current.expiresAt, now) : Infinity,
    pending ? msUntilGate(pending.usableAt, now) : Infinity,
    peerWaitUntil ? msUntilGate(peerWaitUntil, now) : Infinity,
  );

  if (request) {
    const untilDeadline = msUntilGate(request.deadline, now);
    return untilDeadline > 0 ? { wakeInMs: Math.max(0, Math.min(untilDeadline, wakeIn)) } : { timedOut: request.id };
  }

  const wanted = state.demands.filter((demand) => !decide(state, demand, now) && needsRequest(state, demand, now));
  let reason: FetchReason | undefined;
  let due: Stamp | undefined;
  let dueIn = 0;
  if (wanted.length) {
    reason = wanted.some((d) => d.kind === 'refresh') ? 'refresh' : wanted.some((d) => d.kind === 'get') ? 'demand' : 'hint';
  } else if (isActive && !state.halted && !state.isOffline && !pending) {
    // The background schedule: a retry after a failure, the first token, or the next refresh. A
    // follower leaves the refresh to the refresher, and steps in halfway through the window if no token came.
    [reason, due] = state.retryAt
      ? ['retry', state.retryAt]
      : !current
        ? ['initial', peerWaitUntil]
        : [
            'scheduled',
            state.role === 'follower' ? after(current.refreshAt, (current.expiresAt.wall - current.refreshAt.wall) / 2) : current.refreshAt,
          ];
    dueIn = reason === 'scheduled' ? msUntilEarliest(due!, now) : msUntilGate(due, now);
    if (state.isWaking) reason = 'wake';
  }
  if (!reason) return wakeIn < Infinity ? { wakeInMs: Math.max(0, wakeIn) } : {};

  // No request before the rate limit and the server's `Retry-After` allow it.
  const rateLimit = state.lastSentAt && after(state.lastSentAt, MIN_REQUEST_INTERVAL_MS);
  // (A due time that is NaN counts as now, so the gates below still hold it back.)
  let [requestIn, at] = [dueIn || 0, due];
  for (const gate of [rateLimit, state.quietUntil]) {
    const inMs = msUntilGate(gate, now);
    if (inMs > requestIn) [requestIn, at] = [inMs, gate];
  }
  return requestIn > 0 ? { wakeInMs: Math.min(requestIn, wakeIn), nextRequestAt: shownAt(at, requestIn, now) } : { request: reason };
}

/**
 * When to say the next request is due, on the wall clock: the stamp's own time, so the snapshot stays
 * the same object from one read to the next; only after the wall clock has moved (by a second or more)
 * against the monotonic one, the time by the clock as it reads now, to the second.
 */
function shownAt(stamp: Stamp | undefined, inMs: number, now: Now): number {
  if (stamp && Math.abs(stamp.wall - now.wall - (stamp.mono - now.mono)) < 1000) return stamp.wall;
  return Math.round((now.wall + inMs) / 1000) * 1000;
}
