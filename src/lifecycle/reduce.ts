import { parseAccessToken, type AccessToken } from '../access-token';
import { TokenError, withRetryAt } from '../errors';
import type { TokenEvent } from '../token-events';
import { MAX_RETRY_AFTER_MS, retryDelayMs } from '../refresh-policy';
import { after, msUntilEarliest, msUntilGate, type Now } from './clock';
import type { Effect } from './effects';
import { learnClockOffset, observed, placeFetched, placeShared } from './placement';
import { sharedToken } from './shared-token';
import type { HeldToken, InFlight, LifecycleEvent, LifecycleState, SharedToken } from './state';

// How long a new tab keeps waiting once another tab says its request is out.
const PEER_FETCH_WAIT_MS = 5000;

/** The next state after `event`, leaving out the effects (see {@link transition}). */
export const reduce = (state: LifecycleState, event: LifecycleEvent): LifecycleState => transition(state, event, []);

export const stoppedError = () => new TokenError('stopped', 'The token manager was stopped');

export const timeoutError = (state: LifecycleState) => new TokenError('timeout', `Token request timed out after ${state.config.timeoutMs} ms`);

/**
 * The lifecycle's one transition function: the next state after `event`, and (into `fx`) the effects
 * it implies, each where the rule that implies it is. Pure: no clock, no timer, no I/O; everything it
 * needs comes in the event.
 */
export function transition(state: LifecycleState, event: LifecycleEvent, fx: Effect[]): LifecycleState {
  if (state.phase === 'stopped') return state;
  const { now } = event;
  // A stop finds nothing on its way out: no expiry to announce, no token to share.
  const s = advance(state, now, event.type === 'stopped' ? [] : fx, event.type === 'wake');
  switch (event.type) {
    case 'activated':
      return {
        ...s,
        phase: 'active',
        isOffline: !event.isOnline,
        // Wait for the other tabs' token only when we know whose token we may take.
        peerWaitUntil: s.config.isShared && s.identity !== undefined && !s.current && !s.pending ? after(now, s.config.peerWaitMs) : undefined,
      };
    case 'deactivated':
      return { ...s, phase: 'idle', role: undefined, peerWaitUntil: undefined, isOffline: false };
    case 'stopped':
      if (s.request) fx.push({ type: 'abort', id: s.request.id, error: stoppedError() });
      for (const { id } of s.demands) fx.push({ type: 'settle', id, answer: { error: stoppedError() } });
      emit(fx, 'stopped', now);
      return { ...s, phase: 'stopped', current: undefined, pending: undefined, request: undefined, demands: [] };
    case 'tick':
      return s;
    case 'wake': {
      // A request whose deadline passed while the machine slept is abandoned, not failed: its retry
      // should not back off. A throttled tab's late timer is no sleep: that request times out as usual.
      let { request } = s;
      if (request && event.hasSlept && !(msUntilGate(request.deadline, now) > 0)) {
        fx.push({ type: 'abort', id: request.id, error: timeoutError(s) });
        request = undefined;
      }
      emit(fx, 'wake', now);
      // A token that died while we slept needs a new one now, not after the rest of a backoff.
      // (`advance` re-anchored the held times: the monotonic clock may have stood still in the sleep.)
      return { ...s, isWaking: true, request, retryAt: !s.current && s.retryAt ? now : s.retryAt };
    }
    case 'network':
      if (s.isOffline === event.isOnline) emit(fx, 'network', now, { online: event.isOnline });
      return event.isOnline ? { ...s, isOffline: false, isWaking: true, retryAt: s.retryAt && now } : { ...s, isOffline: true };
    case 'demand-added':
      return { ...s, demands: [...s.demands, { ...event.demand, fromRequest: s.request?.id ?? s.nextRequestId }] };
    case 'demand-dropped':
      return { ...s, demands: s.demands.filter((demand) => demand.id !== event.id) };
    case 'request-started':
      fx.push({ type: 'send', id: s.nextRequestId, reason: event.reason });
      emit(fx, 'request', now, { reason: event.reason, attempt: s.failures + 1 });
      return {
        ...s,
        request: { id: s.nextRequestId, reason: event.reason, sentAt: now, deadline: after(now, s.config.timeoutMs) },
        nextRequestId: s.nextRequestId + 1,
        lastSentAt: now,
      };
    case 'token-received':
    case 'request-failed': {
      const { request } = s;
      // The answer to a request given up on (timed out) comes too late: it changes nothing.
      if (request?.id !== event.id) return s;
      return event.type === 'request-failed'
        ? failed({ ...s, request: undefined }, event.error, event.random, now, request.id, fx)
        : received(s, request, event, now, fx);
    }
    case 'token-offered':
      return offered(s, event.token, now, fx);
    case 'peer-fetching':
      return s.peerWaitUntil ? { ...s, peerWaitUntil: after(now, Math.max(msUntilGate(s.peerWaitUntil, now), PEER_FETCH_WAIT_MS)) } : s;
    case 'peers-absent':
      return { ...s, peerWaitUntil: undefined };
    case 'role-changed':
      if (event.role && event.role !== s.role) emit(fx, 'role', now, { role: event.role });
      return { ...s, role: event.role };
  }
}

/** Tells `events$` and `onEvent`; every event says first what happened, then when. */
const emit = <T extends TokenEvent['type']>(fx: Effect[], type: T, now: Now, fields?: Omit<Extract<TokenEvent, { type: T }>, 'type' | 'at'>) =>
  fx.push({ type: 'emit', event: { type, at: now.wall, ...fields } as TokenEvent });

/**
 * Brings the state up to `now` (a wake's): a pending token becomes usable (a fetched one is shared
 * with the other tabs then), an expired one goes, a wait ends.
 */
function advance(state: LifecycleState, now: Now, fx: Effect[], isWake?: boolean): LifecycleState {
  let { peerWaitUntil, hasHadToken } = state;
  let current = observed(state.current, now, isWake);
  let pending = observed(state.pending, now, isWake);
  if (pending && msUntilGate(pending.usableAt, now) <= 0) {
    current = pending;
    pending = undefined;
    hasHadToken = true;
    if (current.origin === 'fetched') fx.push({ type: 'share', token: sharedToken(current, now) });
  }
  if (current && msUntilEarliest(current.expiresAt, now) <= 0) {
    current = undefined;
    emit(fx, 'expired', now);
  }
  if (peerWaitUntil && (current || msUntilGate(peerWaitUntil, now) <= 0)) peerWaitUntil = undefined;
  return current === state.current && pending === state.pending && peerWaitUntil === state.peerWaitUntil && !state.isWaking
    ? state
    : { ...state, current, pending, peerWaitUntil, hasHadToken, isWaking: false };
}

function parse(jwt: string): AccessToken | TokenError {
  try {
    return parseAccessToken(jwt);
  } catch (error) {
    return error as TokenError;
  }
}

/** The refusal of a token for another identity than the one the manager is bound to, if it is one. */
function mismatch(token: AccessToken, identity: string | null | undefined, from: string): TokenError | undefined {
  return identity !== undefined && (token.identity ?? null) !== identity
    ? new TokenError(
        'identity-mismatch',
        `Refused a token for "${token.identity ?? '(no identity)'}" ${from}: this manager is bound to "${identity ?? '(no identity)'}"`,
        { retryable: false },
      )
    : undefined;
}

/** The answer to `request`, the one in flight: it is answered, and its token taken or refused. */
function received(
  state: LifecycleState,
  request: InFlight,
  { jwt, serverNow, random }: { jwt: string; serverNow?: number | undefined; random: number },
  now: Now,
  fx: Effect[],
): LifecycleState {
  const parsed = parse(jwt);
  const token = parsed instanceof TokenError ? undefined : parsed;
  const timing = { sentAt: request.sentAt, receivedAt: now, serverNow, clockOffset: state.clockOffset };
  // Any answer, even one refused, tells how far the server's clock has got.
  const s = { ...state, request: undefined, clockOffset: learnClockOffset(state.clockOffset, token, timing) };
  const placement = token
    ? (mismatch(token, s.identity, 'from the token endpoint') ?? placeFetched(token, timing, s.current, s.config.refreshBeforeMs))
    : (parsed as TokenError);
  if (placement instanceof TokenError) return failed(s, placement, random, now, request.id, fx, true, token?.identity);
  return accept(s, { token: token!, origin: 'fetched', requestId: request.id, ...placement }, now, fx);
}

function offered(state: LifecycleState, shared: SharedToken, now: Now, fx: Effect[]): LifecycleState {
  // A tab that has no identity yet fetches its own first token rather than trust another tab's.
  if (state.phase !== 'active' || state.identity === undefined) return state;
  const token = parse(shared.jwt);
  if (token instanceof TokenError) return state;
  const error = mismatch(token, state.identity, 'from another tab');
  if (error) {
    // Shown, but never in place of a failure of this tab's own (a 401 stays what getToken() reports).
    if (state.failure) return state;
    emit(fx, 'refused', now, { origin: 'tab', code: error.code, message: error.message, identity: token.identity });
    return { ...state, failure: { error, requestId: -1, identity: token.identity } };
  }
  // Only a token that outlives the newest one held is worth taking.
  const newest = state.pending ?? state.current;
  if (newest && shared.expiresAt <= newest.expiresAt.wall) return state;
  const placement = placeShared(token, shared, now, state.current, state.clockOffset, state.config.refreshBeforeMs);
  return placement instanceof TokenError ? state : accept(state, { token, origin: 'tab', requestId: -1, ...placement }, now, fx);
}

/** A good token, fetched or shared: failures are over, and it becomes current once usable. */
function accept(state: LifecycleState, held: HeldToken, now: Now, fx: Effect[]): LifecycleState {
  // Only the server's own answer shows this tab can fetch again.
  if (held.origin === 'fetched' && state.cannotRefresh) fx.push({ type: 'refreshable' });
  const s: LifecycleState = {
    ...state,
    // Bound for good to the first token's identity, even to none (`null`).
    identity: state.identity === undefined ? (held.token.identity ?? null) : state.identity,
    failure: undefined,
    failures: 0,
    retryAt: undefined,
    halted: undefined,
    // Only the server's own answer ends its `Retry-After`, or shows this tab can refresh again.
    ...(held.origin === 'fetched' && { quietUntil: undefined, cannotRefresh: undefined }),
  };
  const { current } = s;
  // The same JWT again (tokens minted in the same second are identical): keep the older, safer timeline.
  if (current?.token.jwt === held.token.jwt) return { ...s, current: { ...current, requestId: Math.max(current.requestId, held.requestId) } };
  const { token, usableAt, refreshAt, expiresAt } = held;
  emit(fx, 'token', now, {
    origin: held.origin,
    identity: token.identity,
    lifetimeMs: token.expiresAt - token.issuedAt,
    usableAt: usableAt.wall,
    refreshAt: refreshAt.wall,
    expiresAt: expiresAt.wall,
    // The tail of the signature: tells tokens apart in a log without giving one away.
    fingerprint: `…${token.jwt.slice(-6)}`,
  });
  return advance({ ...s, pending: held }, now, fx);
}

/** A request failed, or its token was `refused` (a token for `identity`, when it could be read). */
export function failed(
  state: LifecycleState,
  error: TokenError,
  random: number,
  now: Now,
  requestId: number,
  fx: Effect[],
  refused = false,
  identity?: string,
): LifecycleState {
  const failures = state.failures + 1;
  const { retry } = state.config;
  const { code, status, message, serverError } = error;
  // A transport's own TokenError may carry anything: a NaN here would open every gate.
  const retryAfterMs = error.retryAfterMs! >= 0 ? error.retryAfterMs : undefined;
  const halted: LifecycleState['halted'] = !error.retryable
    ? code === 'misconfigured'
      ? 'config'
      : code === 'identity-mismatch'
        ? 'identity'
        : 'auth'
    : failures > retry.limit
      ? 'exhausted'
      : undefined;
  const retryAt = halted ? undefined : after(now, retryDelayMs(failures, retry, () => random, retryAfterMs));
  // Refused for good (any halt but `exhausted`): the refresher role may go to another tab.
  const cannotRefresh = !error.retryable || state.cannotRefresh;
  if (cannotRefresh !== state.cannotRefresh) fx.push({ type: 'refreshable' });
  if (refused) emit(fx, 'refused', now, { origin: 'fetched', code, message, identity });
  emit(fx, 'failure', now, {
    code,
    message,
    status,
    attempt: failures,
    retryAt: retryAt?.wall,
    serverError,
    // Only a wait that can be told (a 400-digit Retry-After parses as Infinity, which JSON logs turn to null).
    ...(retryAfterMs! < Infinity && { retryAfterMs }),
  });
  return {
    ...state,
    failures,
    halted,
    cannotRefresh,
    retryAt,
    // The server's `Retry-After` holds back every request, not only the retry.
    quietUntil: retryAfterMs !== undefined ? after(now, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)) : state.quietUntil,
    failure: { error: withRetryAt(error, retryAt?.wall), requestId, identity },
  };
}
