import type { TokenEvent } from '../token-events';
import type { HeldToken, LifecycleEvent, LifecycleState } from './state';

/** The tail of the signature: tells tokens apart in a log without giving one away. */
export const fingerprint = (jwt: string): string => `…${jwt.slice(-6)}`;

const tokenEvent = (held: HeldToken, at: number): TokenEvent => ({
  type: 'token',
  at,
  origin: held.origin,
  identity: held.token.identity,
  lifetimeMs: held.token.expiresAt - held.token.issuedAt,
  usableAt: held.usableAt.wall,
  refreshAt: held.refreshAt.wall,
  expiresAt: held.expiresAt.wall,
  fingerprint: fingerprint(held.token.jwt),
});

/** What a transition means to someone debugging tokens: the `events$` items for `prev → next`. */
export function noticesOf(prev: LifecycleState, event: LifecycleEvent, next: LifecycleState): TokenEvent[] {
  if (prev === next && event.type !== 'stopped') return [];
  const at = event.now.wall;
  const notices: TokenEvent[] = [];
  switch (event.type) {
    case 'request-started':
      notices.push({ type: 'request', at, reason: event.reason, attempt: next.failures + 1 });
      break;
    case 'wake':
      notices.push({ type: 'wake', at });
      break;
    case 'network':
      if (prev.isOffline === event.isOnline) notices.push({ type: 'network', at, online: event.isOnline });
      break;
    case 'role-changed':
      if (event.role !== undefined && event.role !== prev.role) notices.push({ type: 'role', at, role: event.role });
      break;
    case 'stopped':
      notices.push({ type: 'stopped', at });
      break;
    case 'token-offered':
    case 'token-received':
    case 'request-failed': {
      const failure = next.failure;
      if (failure !== undefined && failure !== prev.failure) {
        const { error } = failure;
        const origin = event.type === 'token-offered' ? 'tab' : 'fetched';
        if (event.type !== 'request-failed') {
          notices.push({ type: 'refused', at, origin, code: error.code, message: error.message, identity: undefined });
        }
        if (origin === 'fetched') {
          notices.push({
            type: 'failure',
            at,
            code: error.code,
            message: error.message,
            status: error.status,
            attempt: next.failures,
            retryAt: error.retryAt,
            serverError: error.serverError,
          });
        }
      }
    }
  }
  const taken = next.pending !== prev.pending && next.pending ? next.pending : next.current !== prev.current && next.current?.token !== prev.pending?.token ? next.current : undefined;
  if (taken !== undefined && taken.token.jwt !== prev.current?.token.jwt) notices.push(tokenEvent(taken, at));
  if (prev.current !== undefined && next.current === undefined && next.phase !== 'stopped') notices.push({ type: 'expired', at });
  return notices;
}
