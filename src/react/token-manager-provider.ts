import { createElement, useEffect, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { createTokenManager, type TokenManager, type TokenManagerOptions } from '../token-manager';
import { TokenManagerContext } from './context';

/** Any key of the signed-in user (an id, an email); `null` or `undefined` (or `NaN`) while signed out. */
export type UserKey = string | number | null | undefined;

export interface TokenManagerProviderProps {
  /**
   * The manager's options, read when a manager is created (at sign-in and at each change of
   * `identity`): a new object every render does not make a new manager.
   */
  options: TokenManagerOptions;
  /**
   * The signed-in user; `null`/`undefined` (or `NaN`) while signed out. A new key stops the manager and makes a
   * new one. It is only a key: to bind the manager to a Twilio identity, set `options.identity`.
   */
  identity: UserKey;
  children?: ReactNode;
}

interface Held {
  readonly identity: NonNullable<UserKey>;
  readonly manager: TokenManager;
  isReleased: boolean;
}

/**
 * Holds one {@link TokenManager} for the signed-in user and gives it to the hooks below it. None while
 * signed out; a new one (and the old one stopped) when `identity` changes.
 *
 * StrictMode-safe: the manager is created in an effect, and the unmount's `stop()` waits a microtask,
 * so StrictMode's immediate remount keeps the same manager (one manager, one request); a real unmount
 * stops it and leaves no timer behind.
 *
 * @example
 * <TokenManagerProvider options={{ url: '/api/token' }} identity={user?.id}>
 *   <App />
 * </TokenManagerProvider>
 */
export function TokenManagerProvider({ options, identity, children }: TokenManagerProviderProps): ReactElement {
  const [held, setHeld] = useState<Held | null>(null);
  // The live manager, in a ref: it survives StrictMode's simulated unmount and is read at the remount.
  const live = useRef<Held | null>(null);

  useEffect(() => {
    // Signed out; NaN too (`Number(user?.id)` before the user loads): equal to nothing, it names no one.
    if (identity == null || identity !== identity) return;
    let entry = live.current;
    if (entry?.identity === identity && entry.isReleased) {
      entry.isReleased = false; // remounted before the deferred stop ran: keep it
    } else {
      // `options` as of this render: read when a manager is created, on purpose not a dependency.
      entry = live.current = { identity, manager: createTokenManager(options), isReleased: false };
    }
    const current = entry;
    setHeld(current);
    return () => {
      current.isReleased = true;
      // Signing out, or back in as the same key later, must not render this manager once it is stopped.
      setHeld((previous) => (previous === current ? null : previous));
      queueMicrotask(() => {
        if (!current.isReleased) return;
        if (live.current === current) live.current = null;
        current.manager.stop();
      });
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [identity]);

  // Never the previous user's manager, not even for the render before the effect replaces it.
  const manager = held !== null && held.identity === identity ? held.manager : null;
  return createElement(TokenManagerContext.Provider, { value: manager }, children);
}
