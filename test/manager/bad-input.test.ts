import { describe, expect, it } from 'vitest';
import { createTokenManager, TokenError } from 'twilio-token-lifecycle';
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

  it.each([
    ['baseDelayMs', { baseDelayMs: undefined }],
    ['maxDelayMs', { maxDelayMs: undefined }],
    ['limit', { limit: undefined }],
  ])('takes retry.%s: undefined as the default, never a NaN backoff (no request loop while the server fails)', async (_, retry) => {
    const backend = tokenBackend();
    const failing = () => Promise.reject(new TokenError('http', 'Token request failed with status 503', { status: 503 }));
    backend.respondWith(...Array.from({ length: 1000 }, () => failing));
    const manager = manageWith({ fetchToken: backend.fetchToken, retry: retry as never });
    manager.subscribe(() => undefined);
    await tick(10_000);
    // The default backoff: 1 s, then up to 2 s, 4 s, 8 s ... (jittered): a handful in 10 s, not one a second.
    expect(backend.calls.length).toBeGreaterThanOrEqual(2);
    expect(backend.calls.length).toBeLessThanOrEqual(6);
    expect(manager.getState()).toMatchObject({ status: 'error', nextRefreshAt: expect.any(Number) });
    expect(Number.isFinite(manager.getState().error!.retryAt)).toBe(true);
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

describe('getToken options set to undefined', () => {
  // `getToken({ minValidityMs: props.minValidityMs, signal: props.signal })`: the defaults, as getToken().
  it.each([
    ['no options', undefined],
    ['null', null],
    ['{}', {}],
    ['every field undefined', { minValidityMs: undefined, signal: undefined, reason: undefined }],
  ])('%s: a demand with minValidityMs 0, no signal, reason demand', async (_, options) => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage(backend);
    const first = await manager.getToken(options as never);
    await tick(50_000); // 9 s left: enough for minValidityMs 0
    await expect(manager.getToken(options as never)).resolves.toBe(first);
    expect(backend.calls.map((call) => call.reason)).toEqual(['demand']);
  });
});
