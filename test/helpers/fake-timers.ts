import { afterEach, beforeEach, vi } from 'vitest';
import type { TokenManager } from 'twilio-token-lifecycle';

/**
 * Fake timers from a fixed date around every test of the file; the managers a test pushes onto the
 * returned list are stopped after it, so none outlives its test.
 */
export function fakeTimersStoppingManagers(): TokenManager[] {
  const managers: TokenManager[] = [];
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 23, 9) });
  });
  afterEach(() => {
    for (const manager of managers.splice(0)) manager.stop();
    vi.useRealTimers();
  });
  return managers;
}
