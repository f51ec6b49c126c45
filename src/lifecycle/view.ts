import type { TokenState } from '../token-state';
import type { Plan } from './plan';
import type { LifecycleState } from './state';

/** The public snapshot of a lifecycle state (already brought up to the clock) and its plan. */
export function view(state: LifecycleState, plan: Plan): TokenState {
  const { phase, request, current, failure, role } = state;
  if (phase === 'stopped') return { status: 'stopped' };
  return {
    // A failure shows as `error` until a token comes, even while the previous token is still held.
    status: request ? 'fetching' : current ? (failure ? 'error' : 'valid') : state.hasHadToken ? 'expired' : failure ? 'error' : 'idle',
    ...(current && { token: current.token, expiresAt: current.expiresAt.wall, refreshAt: current.refreshAt.wall }),
    ...(failure && { error: failure.error }),
    ...(plan.nextRequestAt !== undefined && { nextRefreshAt: plan.nextRequestAt }),
    ...(state.isOffline && { offline: true as const }),
    ...(role && { role }),
  };
}
