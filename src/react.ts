'use client';
import { useSyncExternalStore } from 'react';
import type { AccessToken } from './access-token';
import type { TokenManager } from './token-manager';
import type { TokenState } from './token-state';

/** What the hooks need of a manager: its plain subscribe/snapshot pair. */
export type TokenStore = Pick<TokenManager, 'subscribe' | 'getState'>;

// On the server nothing is fetched: every render sees one stable `idle` snapshot.
const SERVER_STATE: TokenState = Object.freeze({ status: 'idle' });
const getServerState = (): TokenState => SERVER_STATE;

/**
 * The manager's current {@link TokenState}; re-renders when it changes. Mounting subscribes, which
 * starts the refresh schedule; the last unmount releases it after the manager's grace period, so
 * StrictMode's double mount makes one request, not two. On the server it returns `{ status: 'idle' }`.
 */
export function useTokenState(manager: TokenStore): TokenState {
  return useSyncExternalStore(manager.subscribe, manager.getState, getServerState);
}

/** The current valid token, or `undefined` while none is held (and on the server). */
export function useAccessToken(manager: TokenStore): AccessToken | undefined {
  return useTokenState(manager).token;
}
