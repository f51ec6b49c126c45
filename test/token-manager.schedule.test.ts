import { firstValueFrom, toArray, take } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { createTokenManager, TokenError, type TokenState } from 'twilio-token-lifecycle';
import { START, tick, useManagerHarness } from './helpers/manager-harness';
import { hang, tokenBackend } from './helpers/token-backend';

const { manageBackend: manage } = useManagerHarness();

describe('TokenManager schedule (virtual time)', () => {
  it('makes no request and arms no timer before the first subscriber', async () => {
    const backend = tokenBackend();
    const manager = manage(backend);
    await tick(60_000);
    expect(backend.calls).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(manager.getState()).toEqual({ status: 'idle' });
  });

  it.each([
    [10, 2.5],
    [60, 15],
    [3600, 300],
    [86_400, 300],
  ])('refreshes a %i s token %f s before it expires, cycle after cycle', async (ttl, leadSeconds) => {
    const backend = tokenBackend({ ttlSeconds: ttl });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    expect(backend.calls.map((c) => c.reason)).toEqual(['initial']);
    for (let cycle = 1; cycle <= 3; cycle++) {
      const { token, expiresAt, nextRefreshAt } = manager.getState();
      // Never held past the token's own `exp`, whatever the rounding of a whole-second `iat`.
      expect(expiresAt).toBeLessThanOrEqual(token!.expiresAt);
      expect(expiresAt! - nextRefreshAt!).toBe(leadSeconds * 1000);
      await tick(nextRefreshAt! - Date.now() - 1);
      expect(backend.calls).toHaveLength(cycle);
      expect(manager.getState().status).toBe('valid');
      await tick(1);
      expect(backend.calls).toHaveLength(cycle + 1);
      expect(backend.calls[cycle]!.reason).toBe('scheduled');
    }
  });

  it('reports when the next refresh is planned and when the token expires', async () => {
    const manager = manage(tokenBackend({ ttlSeconds: 3600 }));
    manager.subscribe(() => undefined);
    await tick();
    expect(manager.getState()).toMatchObject({
      status: 'valid',
      // 1 s short of exp: the whole-second iat may lag the real mint by up to a second.
      nextRefreshAt: START + 55 * 60_000 - 1000,
      expiresAt: START + 3600_000 - 1000,
    });
  });

  it.each([-600_000, 600_000])('is not fooled by a client clock %i ms off the server', async (offset) => {
    const backend = tokenBackend({ ttlSeconds: 3600, serverClockOffsetMs: offset });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    expect(manager.getState()).toMatchObject({ status: 'valid', expiresAt: START + 3599_000 });
    await tick(55 * 60_000 - 1000 - 1);
    expect(backend.calls).toHaveLength(1);
    expect(manager.getState().token).toBeDefined();
    await tick(1);
    expect(backend.calls).toHaveLength(2);
  });

  it('is not fooled by a client clock hours off either', async () => {
    const backend = tokenBackend({ ttlSeconds: 600, serverClockOffsetMs: -5 * 3600_000 });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    expect(manager.getState()).toMatchObject({ status: 'valid', nextRefreshAt: START + 449_000 });
  });

  it('counts the lifetime from when the request was sent, not when it came back', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    backend.respondWith(() => new Promise((resolve) => setTimeout(() => resolve(backend.mint({ issuedAt: START })), 5000)));
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick(5000);
    expect(manager.getState()).toMatchObject({ status: 'valid', expiresAt: START + 59_000, nextRefreshAt: START + 44_000 });
  });

  it('shares one request among 1,000 concurrent getToken calls', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => new Promise((resolve) => setTimeout(() => resolve(backend.mint()), 100)));
    const manager = manage(backend);
    const all = Promise.all(Array.from({ length: 1000 }, () => manager.getToken()));
    const refreshes = Promise.all([manager.refresh(), manager.refresh()]);
    await tick(100);
    const tokens = await all;
    await refreshes;
    expect(backend.calls).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.jwt)).size).toBe(1);
  });

  it('answers getToken from the held token while it is valid long enough', async () => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = manage(backend);
    const first = await manager.getToken();
    await tick(50 * 60_000);
    expect(await manager.getToken({ minValidityMs: 5 * 60_000 })).toBe(first);
    expect(backend.calls).toHaveLength(1);
    const second = await manager.getToken({ minValidityMs: 11 * 60_000 });
    expect(second).not.toBe(first);
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'demand']);
  });

  it('refresh() fetches now even with a valid token', async () => {
    const backend = tokenBackend();
    const manager = manage(backend);
    await manager.getToken();
    await tick(1000);
    const token = await manager.refresh();
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'refresh']);
    expect(manager.getState().token).toBe(token);
  });

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

  it('sends at most one request per second even for tokens shorter than that', async () => {
    // 2 s tokens (held 1 s: a whole-second iat may lag the mint by up to a second).
    const backend = tokenBackend({ ttlSeconds: 2 });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick(10_000);
    expect(backend.calls.length).toBeGreaterThanOrEqual(10);
    expect(backend.calls.length).toBeLessThanOrEqual(11);
  });

  it('keeps the current token until a new token’s nbf, then swaps', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    const first = manager.getState().token!;
    backend.respondWith(() => Promise.resolve(backend.mint({ notBefore: Date.now() + 10_000 })));
    await tick(44_000);
    expect(backend.calls).toHaveLength(2);
    await tick(9_999);
    expect(manager.getState().token).toBe(first);
    await tick(1);
    expect(manager.getState().token).not.toBe(first);
    expect(manager.getState().token!.notBefore).toBe(START + 54_000);
    expect(backend.calls).toHaveLength(2);
  });

  it('resolves refresh() with a not-yet-valid token only once its nbf arrives', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => Promise.resolve(backend.mint({ notBefore: Date.now() + 5_000 })));
    const manager = manage(backend);
    let resolved = false;
    const refreshed = manager.refresh().then((t) => ((resolved = true), t));
    manager.subscribe(() => undefined);
    await tick(4_999);
    expect(resolved).toBe(false);
    await tick(1);
    expect((await refreshed).notBefore).toBe(START + 5_000);
  });

  it('chains delays longer than setTimeout can hold', async () => {
    const backend = tokenBackend({ ttlSeconds: 40 * 86_400 });
    const manager = manage(backend, { refreshBeforeMs: 86_400_000 });
    manager.subscribe(() => undefined);
    await tick();
    await tick(2 ** 31);
    expect(backend.calls).toHaveLength(1);
    await tick(39 * 86_400_000 - 1000 - 2 ** 31 - 1);
    expect(backend.calls).toHaveLength(1);
    await tick(1);
    expect(backend.calls).toHaveLength(2);
  });

  it('stops scheduling after the last subscriber leaves, after a grace period', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage(backend);
    const unsubscribe = manager.subscribe(() => undefined);
    await tick();
    unsubscribe();
    await tick(999);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await tick(1);
    expect(vi.getTimerCount()).toBe(0);
    await tick(120_000);
    expect(backend.calls).toHaveLength(1);
    expect(manager.getState().status).toBe('expired');
  });

  it('does not refetch on an unsubscribe/resubscribe within the grace period (StrictMode)', async () => {
    const backend = tokenBackend();
    const manager = manage(backend);
    manager.subscribe(() => undefined)();
    manager.subscribe(() => undefined);
    await tick(5_000);
    expect(backend.calls).toHaveLength(1);
  });

  it('keeps the snapshot identity until the state changes, and notifies only on change', async () => {
    const manager = manage(tokenBackend());
    const seen: TokenState[] = [];
    manager.subscribe((state) => seen.push(state));
    await tick();
    const snapshot = manager.getState();
    expect(manager.getState()).toBe(snapshot);
    expect(seen.map((s) => s.status)).toEqual(['fetching', 'valid']);
    expect(seen.at(-1)).toBe(snapshot);
    await tick(1000);
    expect(manager.getState()).toBe(snapshot);
  });

  it('replays the current state and token to each new Observable subscriber', async () => {
    const manager = manage(tokenBackend());
    const token = await manager.getToken();
    expect(await firstValueFrom(manager.state$)).toMatchObject({ status: 'valid', token });
    expect(await firstValueFrom(manager.token$)).toBe(token);
  });

  it('emits each new token once on token$', async () => {
    const manager = manage(tokenBackend({ ttlSeconds: 60 }));
    const tokens = firstValueFrom(manager.token$.pipe(take(3), toArray()));
    await tick(90_000);
    const [a, b, c] = await tokens;
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('stop() during a request aborts it, rejects waiters with stopped and leaves no timer', async () => {
    const backend = tokenBackend();
    backend.respondWith(hang);
    const manager = manage(backend);
    let completed = false;
    manager.state$.subscribe({ complete: () => (completed = true) });
    const waiting = manager.getToken();
    await tick();
    expect(backend.calls[0]!.signal.aborted).toBe(false);
    manager.stop();
    expect(backend.calls[0]!.signal.aborted).toBe(true);
    await expect(waiting).rejects.toMatchObject({ code: 'stopped' });
    expect(manager.getState()).toEqual({ status: 'stopped' });
    expect(completed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'stopped' });
    await expect(manager.refresh()).rejects.toMatchObject({ code: 'stopped' });
  });

  it('leaves no timer after stop() while scheduled', async () => {
    const manager = manage(tokenBackend());
    manager.subscribe(() => undefined);
    manager.state$.subscribe();
    await tick();
    expect(vi.getTimerCount()).toBe(1);
    manager.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops waiting when the getToken signal aborts, leaving the shared request for others', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => new Promise((resolve) => setTimeout(() => resolve(backend.mint()), 1000)));
    const manager = manage(backend);
    const controller = new AbortController();
    const abandoned = manager.getToken({ signal: controller.signal });
    const other = manager.getToken();
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ code: 'aborted' });
    await tick(1000);
    await expect(other).resolves.toMatchObject({ identity: 'alice' });
  });

  it('rejects a fetchToken answer that is neither a string nor { token }', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => Promise.resolve({ nope: 1 } as never));
    const manager = manage(backend);
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'invalid-response' });
  });

  it('throws a plain Error that says how to fix a missing url and fetchToken', () => {
    expect(() => createTokenManager({} as never)).toThrow(/needs either `url`/);
  });
});
