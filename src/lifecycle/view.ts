import type { TokenState, TokenStatus } from '../token-state';
import type { Plan } from './plan';
import type { LifecycleState } from './state';

function statusOf(state: LifecycleState): TokenStatus {
  if (state.phase === 'stopped') return 'stopped';
  if (state.request !== undefined) return 'fetching';
  if (state.current !== undefined) return state.failure === undefined ? 'valid' : 'error';
  if (state.hasHadToken) return 'expired';
  return state.failure === undefined ? 'idle' : 'error';
}

/** The public snapshot of a lifecycle state (already brought up to the clock) and its plan. */
export function view(state: LifecycleState, plan: Plan): TokenState {
  const status = statusOf(state);
  if (status === 'stopped') return { status };
  const { current, failure } = state;
  return {
    status,
    ...(current && { token: current.token, expiresAt: current.expiresAt.wall, refreshAt: current.refreshAt.wall }),
    ...(failure && { error: failure.error }),
    ...(plan.nextRequestAt !== undefined && { nextRefreshAt: plan.nextRequestAt }),
    ...(state.isOffline && { offline: true as const }),
    ...(state.role && { role: state.role }),
  };
}
