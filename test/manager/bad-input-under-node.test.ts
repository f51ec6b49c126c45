// @vitest-environment node
import { expect, it, vi } from 'vitest';
import { useManagerHarness } from '../helpers/manager-harness';

// Under Node there is no page to resolve a relative URL against.
const { manage } = useManagerHarness();

it('reports a relative url under Node as misconfigured, surfaced at once and not retried', async () => {
  const manager = manage({ url: '/api/token' });
  await expect(manager.getToken()).rejects.toMatchObject({ code: 'misconfigured', retryable: false, message: expect.stringMatching(/absolute URL/) });
  manager.subscribe(() => undefined);
  await vi.advanceTimersByTimeAsync(3600_000);
  expect(manager.getState()).toMatchObject({ status: 'error', error: { code: 'misconfigured' } });
  expect(manager.getState().nextRefreshAt).toBeUndefined();
});
