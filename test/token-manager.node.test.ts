// @vitest-environment node
import { afterEach, expect, it, vi } from 'vitest';
import { createTokenManager, type TokenManager } from 'twilio-token-lifecycle';

// Under Node there is no page to resolve a relative URL against.
let manager: TokenManager | undefined;
afterEach(() => {
  manager?.stop();
  vi.useRealTimers();
});

it('reports a relative url under Node as misconfigured, surfaced at once and not retried', async () => {
  vi.useFakeTimers();
  manager = createTokenManager({ url: '/api/token' });
  await expect(manager.getToken()).rejects.toMatchObject({ code: 'misconfigured', retryable: false, message: expect.stringMatching(/absolute URL/) });
  manager.subscribe(() => undefined);
  await vi.advanceTimersByTimeAsync(3600_000);
  expect(manager.getState()).toMatchObject({ status: 'error', error: { code: 'misconfigured' } });
  expect(manager.getState().nextRefreshAt).toBeUndefined();
});
