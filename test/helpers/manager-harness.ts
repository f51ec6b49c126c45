import { afterEach, beforeEach, vi } from 'vitest';
import { createTokenManager, type TokenManager, type TokenManagerOptions } from 'twilio-token-lifecycle';
import type { tokenBackend } from './token-backend';

/** When the runtime tests' virtual time starts. */
export const START = Date.UTC(2026, 10, 23, 9, 0, 0);

/** Moves vitest's fake timers on by `ms`, letting promise chains settle. */
export const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

/**
 * The runtime tests' shared setup: fake timers from {@link START} for each test, and every manager
 * made through it stopped after the test. Managers take `random: () => 0.5` (no jitter) and `defaults`.
 */
export function useManagerHarness(defaults: Partial<TokenManagerOptions> = {}) {
  const managers: TokenManager[] = [];
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    for (const manager of managers.splice(0)) manager.stop();
    vi.useRealTimers();
  });
  const manage = (options: Partial<TokenManagerOptions>) => {
    const manager = createTokenManager({ random: () => 0.5, ...defaults, ...options } as TokenManagerOptions);
    managers.push(manager);
    return manager;
  };
  /** A manager fetching from a {@link tokenBackend}. */
  const manageBackend = (backend: ReturnType<typeof tokenBackend>, options: Partial<TokenManagerOptions> = {}) =>
    manage({ fetchToken: backend.fetchToken, ...options } as Partial<TokenManagerOptions>);
  return { manage, manageBackend };
}
