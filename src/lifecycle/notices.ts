import type { TokenEvent } from '../token-events';
import type { LifecycleEvent, LifecycleState } from './state';

/** What a transition means to someone debugging tokens: the `events$` items for `prev → next`. */
export function noticesOf(prev: LifecycleState, event: LifecycleEvent, next: LifecycleState): TokenEvent[] {
  const { type } = event;
  if (prev === next && type !== 'stopped') return [];
  const at = event.now.wall;
  const notices: TokenEvent[] = [];
  if (type === 'request-started') notices.push({ type: 'request', at, reason: event.reason, attempt: next.failures + 1 });
  else if (type === 'wake' || type === 'stopped') notices.push({ type, at });
  else if (type === 'network' && prev.isOffline === event.isOnline) notices.push({ type: 'network', at, online: event.isOnline });
  else if (type === 'role-changed' && event.role && event.role !== prev.role) notices.push({ type: 'role', at, role: event.role });

  // A new failure comes only from a request that failed, or a token refused (fetched or from a tab).
  const { failure } = next;
  if (failure && failure !== prev.failure) {
    const { code, message, status, retryAt, serverError, retryAfterMs } = failure.error;
    const isFromTab = type === 'token-offered';
    if (type !== 'request-failed') notices.push({ type: 'refused', at, origin: isFromTab ? 'tab' : 'fetched', code, message, identity: failure.identity });
    if (!isFromTab) {
      notices.push({ type: 'failure', at, code, message, status, attempt: next.failures, retryAt, serverError, ...(Number.isFinite(retryAfterMs) ? { retryAfterMs } : {}) });
    }
  }

  // The token just taken: a new pending one (its `nbf` ahead), else a new current one that was not
  // pending before (that one was announced when it came).
  const taken = [next.pending, next.current].find((held) => held && held.token !== prev.pending?.token && held.token !== prev.current?.token);
  if (taken && taken.token.jwt !== prev.current?.token.jwt) {
    const { token, usableAt, refreshAt, expiresAt } = taken;
    notices.push({
      type: 'token',
      at,
      origin: taken.origin,
      identity: token.identity,
      lifetimeMs: token.expiresAt - token.issuedAt,
      usableAt: usableAt.wall,
      refreshAt: refreshAt.wall,
      expiresAt: expiresAt.wall,
      // The tail of the signature: tells tokens apart in a log without giving one away.
      fingerprint: `…${token.jwt.slice(-6)}`,
    });
  }
  if (prev.current && !next.current && next.phase !== 'stopped') notices.push({ type: 'expired', at });
  return notices;
}
