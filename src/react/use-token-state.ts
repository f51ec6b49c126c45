import { useSyncExternalStore } from 'react';
import type { AccessToken } from '../access-token';
import type { TokenManager } from '../token-manager';
import type { TokenState } from '../token-state';
import { useContextManager } from './context';

/** What the hooks need of a manager: its plain subscribe/snapshot pair. */
export type TokenStore = Pick<TokenManager, 'subscribe' | 'getState'>;

// On the server, and while signed out, every render sees one stable `idle` snapshot.
const IDLE_STATE: TokenState = /* @__PURE__ */ Object.freeze({ status: 'idle' });
const getIdleState = (): TokenState => IDLE_STATE;
const subscribeToNothing = () => () => undefined;

/**
 * The manager's current {@link TokenState}; re-renders when it changes. Without an argument it reads the
 * {@link TokenManagerProvider}'s manager; while signed out (or given `null`) it returns a stable
 * `{ status: 'idle' }`. Mounting subscribes, which starts the refresh schedule; the last unmount
 * releases it after the manager's grace period, so StrictMode's double mount makes one request, not
 * two. On the server it returns `{ status: 'idle' }`.
 *
 * @throws {Error} without an argument, outside a `<TokenManagerProvider>`.
 */
export function useTokenState(manager?: TokenStore | null): TokenState {
  const store = useContextManager('useTokenState() without a manager', manager);
  return useSyncExternalStore(store?.subscribe ?? subscribeToNothing, store?.getState ?? getIdleState, getIdleState);
}

/** The current valid token, or `undefined` while none is held (signed out, and on the server). */
export function useAccessToken(manager?: TokenStore | null): AccessToken | undefined {
  return useTokenState(manager).token;
}

/**
 * True when the token endpoint refused the session: the last request answered 401 (`error.code`
 * `unauthorized`) or 403 (`forbidden`). The manager does not retry these, so show the sign-in screen;
 * after signing in, call `manager.refresh()` or pass the provider a new `identity`.
 */
export function isSignedOut(state: TokenState): boolean {
  const code = state.error?.code;
  return code === 'unauthorized' || code === 'forbidden';
}
