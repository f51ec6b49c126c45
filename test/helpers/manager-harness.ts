import { afterEach, beforeEach, vi } from 'vitest';
import { createTokenManager, type TokenManager, type TokenManagerOptions } from 'twilio-token-lifecycle';
import type { tokenBackend } from './token-backend';

/** When the runtime tests' virtual time starts. */
export const START = Date.UTC(2026, 10, 23, 9, 0, 0);

/** Moves vitest's fake timers on by `ms`, letting promise chains settle. */
export const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

/** No page or network signals: the manager hears only its own timers (how the adversarial cases run). */
export const WITHOUT_SIGNALS: Partial<TokenManagerOptions> = { page: false, network: false };

/** How a promise stands, read later; its rejection is always handled. */
export function outcome<T>(promise: Promise<T>) {
  const seen: { state: 'pending' | 'resolved' | 'rejected'; value?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(seen, { state: 'resolved', value }),
    (error: unknown) => Object.assign(seen, { state: 'rejected', value: error }),
  );
  return seen;
}

/** How `promise` stands after the next tick of virtual time (handlers attached at once). */
export const settled = (promise: Promise<unknown>) => {
  let result: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(() => (result = 'resolved'), () => (result = 'rejected'));
  return tick(10).then(() => result);
};

/**
 * Stops every manager handed to the returned `keep` after each test, for tests that run on their own
 * clock (a {@link VirtualClock}) rather than vitest's fake timers.
 */
export function useManagerCleanup() {
  const managers: TokenManager[] = [];
  afterEach(() => {
    for (const manager of managers.splice(0)) manager.stop();
  });
  return (manager: TokenManager) => {
    managers.push(manager);
    return manager;
  };
}

/** Makers of managers that share one {@link useManagerHarness} setup. */
export interface ManagerFactories {
  manage(options: Partial<TokenManagerOptions>): TokenManager;
  /** A manager fetching from a {@link tokenBackend}. */
  manageBackend(backend: ReturnType<typeof tokenBackend>, options?: Partial<TokenManagerOptions>): TokenManager;
  /** Factories with `more` defaults, sharing the same setup (and stopped after each test too). */
  withDefaults(more: Partial<TokenManagerOptions>): ManagerFactories;
}

/**
 * The runtime tests' shared setup: fake timers from {@link START} for each test, and every manager
 * made through it stopped after the test. Managers take `random: () => 0.5` (no jitter) and `defaults`;
 * `withDefaults(more)` gives factories with more defaults that share the same setup.
 */
export function useManagerHarness(defaults: Partial<TokenManagerOptions> = {}): ManagerFactories {
  const managers: TokenManager[] = [];
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });
  afterEach(() => {
    for (const manager of managers.splice(0)) manager.stop();
    vi.useRealTimers();
  });
  const factories = (base: Partial<TokenManagerOptions>): ManagerFactories => {
    const manage = (options: Partial<TokenManagerOptions>) => {
      const manager = createTokenManager({ random: () => 0.5, ...base, ...options } as TokenManagerOptions);
      managers.push(manager);
      return manager;
    };
    const manageBackend = (backend: ReturnType<typeof tokenBackend>, options: Partial<TokenManagerOptions> = {}) =>
      manage({ fetchToken: backend.fetchToken, ...options } as Partial<TokenManagerOptions>);
    return { manage, manageBackend, withDefaults: (more) => factories({ ...base, ...more } as Partial<TokenManagerOptions>) };
  };
  return factories(defaults);
}
// The virtual clock is part of the test kit: tests use the public one.
export { flush, VirtualClock, type MonotonicScheduler } from 'twilio-token-lifecycle/testing';
