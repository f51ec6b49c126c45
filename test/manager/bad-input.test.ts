import { describe, expect, it } from 'vitest';
import { createTokenManager } from 'twilio-token-lifecycle';
import { tick, useManagerHarness } from '../helpers/manager-harness';
import { tokenBackend } from '../helpers/token-backend';

// Options, answers and calls the manager refuses, each with an error that says what to fix.
// (A relative url under Node: bad-input-under-node.test.ts.)
const { manage: manageWith, manageBackend: manage } = useManagerHarness();

describe('clear errors', () => {
  it('throws a plain Error that says how to fix a missing url and fetchToken', () => {
    expect(() => createTokenManager({} as never)).toThrow(/needs either `url`/);
  });

  it.each([
    ['refreshBeforeMs', { refreshBeforeMs: Number.NaN }],
    ['refreshBeforeMs', { refreshBeforeMs: -1 }],
    ['idleGraceMs', { idleGraceMs: Infinity }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['retry.baseDelayMs', { retry: { baseDelayMs: Number.NaN } }],
    ['retry.maxDelayMs', { retry: { maxDelayMs: -5 } }],
    ['retry.limit', { retry: { limit: Number.NaN } }],
    ['crossTab.peerWaitMs', { crossTab: { key: 'k', peerWaitMs: Number.NaN } }],
    ['identity', { identity: 42 }],
  ])('throws a TypeError naming `%s`', (name, options) => {
    expect(() => createTokenManager({ fetchToken: tokenBackend().fetchToken, ...(options as object) })).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(`\`${name}\``) }),
    );
  });

  it.each([-1, '5000'])('throws a TypeError for request.timeout %j', (timeout) => {
    expect(() => createTokenManager({ url: 'https://example.test/token', request: { timeout } as never })).toThrow(/`request.timeout`/);
  });

  it('accepts retry.limit Infinity', () => {
    expect(() => createTokenManager({ fetchToken: tokenBackend().fetchToken, retry: { limit: Infinity } })).not.toThrow();
  });

  it('reports a synchronous throw in fetchToken as misconfigured, once, at once', async () => {
    let calls = 0;
    const manager = manageWith({
      fetchToken: () => {
        calls += 1;
        throw new Error('oops');
      },
    });
    manager.subscribe(() => undefined);
    await tick();
    expect(manager.getState()).toMatchObject({ status: 'error', error: { code: 'misconfigured', retryable: false } });
    expect((manager.getState().error!.cause as Error).message).toBe('oops');
    await tick(3600_000);
    expect(calls).toBe(1);
  });

  it('rejects a fetchToken answer that is neither a string nor { token }', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => Promise.resolve({ nope: 1 } as never));
    const manager = manage(backend);
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'invalid-response' });
  });
});
