import { createContext, useContext } from 'react';
import type { TokenManager } from '../token-manager';

/**
 * The provider's manager: `null` while signed out, `undefined` (the default) outside any provider, so a
 * hook that needs one can say how to fix it.
 */
export const TokenManagerContext = createContext<TokenManager | null | undefined>(undefined);

/**
 * `given` if the caller passed one (a manager or `null`), else the context's manager; a plain Error
 * naming the hook and the fix when there is neither. Reads the context either way (hook order).
 */
export function useContextManager<Store>(hook: string, given?: Store | null): Store | TokenManager | null {
  const fromContext = useContext(TokenManagerContext);
  if (given !== undefined) return given;
  if (fromContext === undefined) {
    throw new Error(`${hook} needs a <TokenManagerProvider> above it (from 'twilio-token-lifecycle/react')`);
  }
  return fromContext;
}

/**
 * The signed-in user's manager from the nearest {@link TokenManagerProvider}, or `null` while signed
 * out (and on the server, and in the first render after sign-in: the provider creates it in an effect).
 *
 * @throws {Error} outside a `<TokenManagerProvider>`.
 */
export function useTokenManager(): TokenManager | null {
  return useContextManager<TokenManager>('useTokenManager()');
}
