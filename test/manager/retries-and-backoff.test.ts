import { asyncScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TokenError, type TokenScheduler, type TokenState } from 'twilio-token-lifecycle';
import { START, tick, useManagerHarness } from '../helpers/manager-harness';
import { hang, tokenBackend } from '../helpers/token-backend';

// What the manager does when a request fails: keeps the last token, backs off with jitter, honours
// Retry-After, halts on 401 until refresh(), and times out requests that hang.
const { manageBackend: manage } = useManagerHarness();

describe('failed requests', () => {
  it('keeps the last token through failed refreshes, retries with backoff and recovers', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage(backend);
    const states: TokenState[] = [];
    manager.subscribe((state) => states.push(state));
    await tick();
    const first = manager.getState().token;
    const down = () => Promise.reject(new TypeError('Failed to fetch'));
    backend.respondWith(down, down, down);
    await tick(44_000);
    expect(manager.getState()).toMatchObject({ status: 'error', token: first, error: { code: 'network', retryable: true } });
    // full jitter at random() = 0.5: ceilings 1 s, 2 s, 4 s → waits 1 s (floor), 1 s, 2 s
    const sentAt = () => backend.calls.length;
    await tick(999);
    expect(sentAt()).toBe(2);
    await tick(1);
    expect(sentAt()).toBe(3);
    expect(backend.calls[2]!.reason).toBe('retry');
    await tick(1000);
    expect(sentAt()).toBe(4);
    await tick(1999);
    expect(sentAt()).toBe(4);
    await tick(1);
    expect(sentAt()).toBe(5);
    expect(manager.getState()).toMatchObject({ status: 'valid' });
    expect(manager.getState().error).toBeUndefined();
    expect(manager.getState().token).not.toBe(first);
    expect(states.some((s) => s.status === 'expired')).toBe(false);
  });

  it('reports expired once the token lapses without a replacement, and never drops it before', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage(backend, { retry: { baseDelayMs: 20_000, maxDelayMs: 20_000 } });
    manager.subscribe(() => undefined);
    await tick();
    const token = manager.getState().token;
    backend.respondWith(...Array.from({ length: 10 }, () => () => Promise.reject(new TypeError('offline'))));
    await tick(58_999);
    expect(manager.getState()).toMatchObject({ status: 'error', token });
    await tick(1);
    expect(manager.getState()).toMatchObject({ status: 'expired', error: { code: 'network' } });
    expect(manager.getState().token).toBeUndefined();
    expect(manager.getState().expiresAt).toBeUndefined();
  });

  it('gives up after retry.limit failures until refresh() is called', async () => {
    const backend = tokenBackend();
    backend.respondWith(...Array.from({ length: 3 }, () => () => Promise.reject(new TypeError('down'))));
    const manager = manage(backend, { retry: { limit: 2 } });
    manager.subscribe(() => undefined);
    await tick(10 * 60_000);
    expect(backend.calls).toHaveLength(3);
    expect(manager.getState()).toMatchObject({ status: 'error', error: { code: 'network' } });
    expect(manager.getState().nextRefreshAt).toBeUndefined();
    await manager.refresh();
    expect(manager.getState().status).toBe('valid');
  });

  it('honours the Retry-After a transport reports', async () => {
    const backend = tokenBackend();
    const busy = () => Promise.reject(new TokenError('http', 'busy', { status: 503, retryAfterMs: 30_000 }));
    backend.respondWith(busy);
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    expect(manager.getState().nextRefreshAt).toBe(START + 30_000);
    await tick(29_999);
    expect(backend.calls).toHaveLength(1);
    await tick(1);
    expect(backend.calls).toHaveLength(2);
    expect(manager.getState().status).toBe('valid');
  });

  it('retries an invalid token with backoff, never at once', async () => {
    const backend = tokenBackend();
    backend.respondWith(...Array.from({ length: 5 }, () => () => Promise.resolve('not-a-jwt')));
    const manager = manage(backend, { random: () => 0 });
    manager.subscribe(() => undefined);
    await tick();
    expect(manager.getState()).toMatchObject({ status: 'error', error: { code: 'invalid-token' } });
    await tick(999);
    expect(backend.calls).toHaveLength(1);
    await tick(1);
    expect(backend.calls).toHaveLength(2);
  });

  it('treats an abort the manager did not ask for as a retryable network failure', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => Promise.reject(new DOMException('The operation was aborted.', 'AbortError')));
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    expect(manager.getState().error).toMatchObject({ code: 'network', retryable: true });
    await tick(1000);
    expect(manager.getState().status).toBe('valid');
  });
});

describe('halted by 401 until refresh()', () => {
  it('does not retry 401 at all until refresh(), and getToken rejects with it meanwhile', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => Promise.reject(new TokenError('unauthorized', 'Token request failed with status 401', { status: 401, retryable: false })));
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick(3600_000);
    expect(backend.calls).toHaveLength(1);
    expect(manager.getState()).toMatchObject({ status: 'error', error: { code: 'unauthorized', status: 401 } });
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'unauthorized' });
    expect(backend.calls).toHaveLength(1);
    await manager.refresh();
    expect(manager.getState().status).toBe('valid');
    expect(backend.calls).toHaveLength(2);
  });

  it('resumes backoff when a refresh() after a 401 meets a 503', async () => {
    const backend = tokenBackend();
    backend.respondWith(
      () => Promise.reject(new TokenError('unauthorized', '401', { status: 401, retryable: false })),
      () => Promise.reject(new TokenError('http', '503', { status: 503 })),
    );
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick(5000);
    expect(backend.calls).toHaveLength(1);
    const refreshed = manager.refresh();
    refreshed.catch(() => undefined);
    await tick();
    await expect(refreshed).rejects.toMatchObject({ status: 503 });
    expect(manager.getState().nextRefreshAt).toBeDefined();
    await tick(2000);
    expect(backend.calls.map((call) => call.reason)).toEqual(['initial', 'refresh', 'retry']);
    expect(manager.getState().status).toBe('valid');
  });
});

describe('requests that hang', () => {
  it.each([
    ['the default 10 s', undefined, 10_000],
    ['timeoutMs', 3000, 3000],
  ])('aborts a fetchToken that never settles after %s and retries', async (_, timeoutMs, after) => {
    const backend = tokenBackend();
    backend.respondWith(() => new Promise(() => undefined)); // ignores its signal, too
    const manager = manage(backend, { timeoutMs });
    manager.subscribe(() => undefined);
    await tick(after - 1);
    expect(manager.getState().status).toBe('fetching');
    await tick(1);
    expect(backend.calls[0]!.signal.aborted).toBe(true);
    expect(manager.getState()).toMatchObject({ status: 'error', error: { code: 'timeout' } });
    await tick(1000);
    expect(manager.getState().status).toBe('valid');
  });

  it('times a hung request out as usual when a throttled tab’s timers come late, and backs off', async () => {
    const backend = tokenBackend();
    backend.respondWith(...Array.from({ length: 50 }, () => hang));
    // A throttled tab: every timer fires 20 s late, though the page itself never sleeps.
    const throttled = {
      now: () => Date.now(),
      monotonicNow: () => performance.now(),
      schedule: (work: () => void, delay = 0) => asyncScheduler.schedule(work, delay + 20_000),
    } as TokenScheduler;
    const manager = manage(backend, { scheduler: throttled, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, random: () => 0.99 });
    const waiting = manager.getToken();
    waiting.catch(() => undefined);
    await tick(31_000);
    await expect(waiting).rejects.toMatchObject({ code: 'timeout' });
    await tick(10 * 60_000);
    // Backing off (≈ 59 s a retry, plus the lateness), never a retry at once after each late timeout.
    expect(backend.calls.length).toBeLessThanOrEqual(9);
  });
});
