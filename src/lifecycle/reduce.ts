import { parseAccessToken, type AccessToken } from '../access-token';
import type { SharedToken } from '../cross-tab/channel';
import { TokenError, withRetryAt } from '../errors';
import { retryDelayMs } from '../refresh-policy';
import { after, msUntilEarliest, msUntilGate, type Now } from './clock';
import { estimateClockOffset, placeFetched, placeShared } from './placement';
import type { HeldToken, LifecycleEvent, LifecycleState } from './state';

// How long a new tab keeps waiting once another tab says its request is out.
const PEER_FETCH_WAIT_MS = 5000;
// The longest `Retry-After` obeyed.
const MAX_QUIET_MS = 24 * 3600_000;

/**
 * The lifecycle's one transition function: the next state after `event`. Pure: no clock, no timer,
 * no I/O; everything it needs comes in the event.
 */
export function reduce(state: LifecycleState, event: LifecycleEvent): LifecycleState {
  if (state.phase === 'stopped') return state;
  const { now } = event;
  const s = advance(state, now);
  switch (event.type) {
    case 'activated':
      return {
        ...s,
        phase: 'active',
        isOffline: !event.isOnline,
        // Wait for the other tabs' token only when we know whose token we may take.
        peerWaitUntil:
          s.config.isShared && s.identity !== undefined && s.current === undefined && s.pending === undefined
            ? after(now, s.config.peerWaitMs)
            : undefined,
      };
    case 'deactivated':
      return { ...s, phase: 'idle', role: undefined, peerWaitUntil: undefined, isOffline: false };
    case 'stopped':
      return { ...s, phase: 'stopped', current: undefined, pending: undefined, request: undefined, demands: [] };
    case 'tick':
      return s;
    case 'wake':
      // A token that died while we slept needs a new one now, not after the rest of a backoff.
      return { ...s, isWaking: true, retryAt: s.current === undefined && s.retryAt !== undefined ? now : s.retryAt };
    case 'network':
      return event.isOnline
        ? { ...s, isOffline: false, isWaking: true, retryAt: s.retryAt && now }
        : { ...s, isOffline: true };
    case 'demand-added':
      return { ...s, demands: [...s.demands, { ...event.demand, fromRequest: s.request?.id ?? s.nextRequestId }] };
    case 'demand-dropped':
      return { ...s, demands: s.demands.filter((demand) => demand.id !== event.id) };
    case 'request-started':
      return {
        ...s,
        request: { id: s.nextRequestId, reason: event.reason, sentAt: now, deadline: after(now, s.config.timeoutMs) },
        nextRequestId: s.nextRequestId + 1,
        lastSentAt: now,
      };
    case 'token-received':
      return s.request?.id === event.id ? received(s, event.jwt, event.serverNow, event.random, now) : s;
    case 'request-failed':
      return s.request?.id === event.id ? failed({ ...s, request: undefined }, event.error, event.random, now, event.id) : s;
    case 'token-offered':
      return offered(s, event.token, now);
    case 'peer-fetching':
      return s.peerWaitUntil === undefined
        ? s
        : { ...s, peerWaitUntil: after(now, Math.max(msUntilGate(s.peerWaitUntil, now), PEER_FETCH_WAIT_MS)) };
    case 'peers-absent':
      return { ...s, peerWaitUntil: undefined };
    case 'role-changed':
      return { ...s, role: event.role };
  }
}

/** Brings the state up to `now`: a pending token becomes usable, an expired one goes, a wait ends. */
export function advance(state: LifecycleState, now: Now): LifecycleState {
  let { current, pending, peerWaitUntil, hasHadToken } = state;
  if (pending !== undefined && msUntilGate(pending.usableAt, now) <= 0) {
    current = pending;
    pending = undefined;
    hasHadToken = true;
  }
  if (current !== undefined && msUntilEarliest(current.expiresAt, now) <= 0) current = undefined;
  if (peerWaitUntil !== undefined && (current !== undefined || msUntilGate(peerWaitUntil, now) <= 0)) peerWaitUntil = undefined;
  if (
    current === state.current &&
    pending === state.pending &&
    peerWaitUntil === state.peerWaitUntil &&
    !state.isWaking
  ) {
    return state;
  }
  return { ...state, current, pending, peerWaitUntil, hasHadToken, isWaking: false };
}

function parse(jwt: string): AccessToken | TokenError {
  try {
    return parseAccessToken(jwt);
  } catch (error) {
    return error as TokenError;
  }
}

function mismatch(token: AccessToken, identity: string, from: string): TokenError {
  return new TokenError(
    'identity-mismatch',
    `Refused a token for identity "${token.identity ?? '(none)'}" ${from}: this manager is bound to "${identity}"; create a new manager to switch users`,
    { retryable: false },
  );
}

function received(state: LifecycleState, jwt: string, serverNow: number | undefined, random: number, now: Now): LifecycleState {
  const request = state.request!;
  const s = { ...state, request: undefined };
  const token = parse(jwt);
  if (token instanceof TokenError) return failed(s, token, random, now, request.id);
  if (s.identity !== undefined && token.identity !== s.identity) {
    return failed(s, mismatch(token, s.identity, 'from the token endpoint'), random, now, request.id);
  }
  const timing = { sentAt: request.sentAt, receivedAt: now, serverNow, clockOffset: s.clockOffset };
  const placement = placeFetched(token, timing, s.current, s.config.refreshBeforeMs);
  if (placement instanceof TokenError) return failed(s, placement, random, now, request.id);
  const clockOffset = estimateClockOffset(token, timing);
  return accept({ ...s, clockOffset }, { token, origin: 'fetched', requestId: request.id, ...placement }, now);
}

function offered(state: LifecycleState, shared: SharedToken, now: Now): LifecycleState {
  // A tab that has no identity yet fetches its own first token rather than trust another tab's.
  if (state.phase !== 'active' || state.identity === undefined) return state;
  const token = parse(shared.jwt);
  if (token instanceof TokenError) return state;
  if (token.identity !== state.identity) {
    return { ...state, failure: { error: mismatch(token, state.identity, 'from another tab'), requestId: -1 } };
  }
  const newest = state.pending ?? state.current;
  if (newest !== undefined && shared.expiresAt <= newest.expiresAt.wall) return state;
  const placement = placeShared(token, shared, now, state.current, state.clockOffset, state.config.refreshBeforeMs);
  if (placement instanceof TokenError) return state;
  return accept(state, { token, origin: 'tab', requestId: -1, ...placement }, now);
}

/** A good token, fetched or shared: failures are over, and it becomes current once usable. */
function accept(state: LifecycleState, held: HeldToken, now: Now): LifecycleState {
  const s: LifecycleState = {
    ...state,
    identity: state.identity ?? held.token.identity,
    failure: undefined,
    failures: 0,
    retryAt: undefined,
    quietUntil: undefined,
    halted: undefined,
  };
  // The same JWT again (tokens minted in the same second are identical): keep the older, safer timeline.
  if (s.current !== undefined && s.current.token.jwt === held.token.jwt) {
    return { ...s, current: { ...s.current, requestId: Math.max(s.current.requestId, held.requestId) } };
  }
  return advance({ ...s, pending: held }, now);
}

function failed(state: LifecycleState, error: TokenError, random: number, now: Now, requestId: number): LifecycleState {
  const failures = state.failures + 1;
  const { retry } = state.config;
  let halted: LifecycleState['halted'];
  let retryAt: LifecycleState['retryAt'];
  let quietUntil = state.quietUntil;
  if (!error.retryable) {
    halted = error.code === 'misconfigured' ? 'config' : error.code === 'identity-mismatch' ? 'identity' : 'auth';
  } else if (failures > retry.limit) {
    halted = 'exhausted';
  } else {
    retryAt = after(now, retryDelayMs(failures, retry, () => random, error.retryAfterMs));
    if (error.retryAfterMs !== undefined) quietUntil = after(now, Math.min(error.retryAfterMs, MAX_QUIET_MS));
  }
  return {
    ...state,
    failures,
    halted,
    retryAt,
    quietUntil,
    failure: { error: withRetryAt(error, retryAt?.wall), requestId },
  };
}
