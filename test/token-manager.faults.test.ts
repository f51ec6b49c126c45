import { describe, expect, it, vi } from 'vitest';
import { asyncScheduler } from 'rxjs';
import { createTokenManager, TokenError, type TokenEvent, type TokenScheduler } from 'twilio-token-lifecycle';
import { FakeNetworkSignals, FakePageSignals } from 'twilio-token-lifecycle/testing';
import { START, tick, useManagerHarness } from './helpers/manager-harness';
import { hang, tokenBackend } from './helpers/token-backend';

// Each behaviour the lifecycle issue found broken, on virtual time, against the real manager.
const { manage: manageWith, manageBackend: manage } = useManagerHarness();

/** How `promise` stands after the next tick of virtual time (handlers attached at once). */
const settled = (promise: Promise<unknown>) => {
  let outcome: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(() => (outcome = 'resolved'), () => (outcome = 'rejected'));
  return tick(10).then(() => outcome);
};


describe('identity', () => {
  it('refuses a fetched token for another identity, keeps its own and does not loop', async () => {
    const backend = tokenBackend({ ttlSeconds: 600 });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    const own = manager.getState().token!;
    backend.respondWith(...Array.from({ length: 50 }, () => () => Promise.resolve(backend.mint({ identity: 'mallory' }))));
    await tick(450_000);
    expect(manager.getState()).toMatchObject({ status: 'error', token: own, error: { code: 'identity-mismatch' } });
    await tick(3600_000);
    expect(backend.calls).toHaveLength(2);
    expect(manager.getState().token).toBeUndefined();
  });

  it('is bound from the start by the identity option', async () => {
    const backend = tokenBackend();
    const manager = manage(backend, { identity: 'bob' });
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'identity-mismatch', message: expect.stringMatching(/"alice".*"bob"/) });
    expect(manager.getState().token).toBeUndefined();
  });
});

describe('never stuck', () => {
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

  it('refuses a token whose nbf is 24 h ahead and serves getToken() from the next one', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => Promise.resolve(backend.mint({ ttlSeconds: 90_000, notBefore: Date.now() + 86_400_000 })));
    const manager = manage(backend);
    const first = manager.getToken();
    first.catch(() => undefined);
    await tick();
    await expect(first).rejects.toMatchObject({ code: 'invalid-token' });
    const second = manager.getToken();
    await tick(1000);
    await expect(second).resolves.toMatchObject({ notBefore: undefined });
  });
});

describe('never dead as alive', () => {
  it('does not hand out a token that expired by the monotonic clock after the wall clock was set back', async () => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = manage(backend);
    const first = await manager.getToken();
    await tick(3600_000 - 10_000); // 10 s left, truly
    vi.setSystemTime(Date.now() - 15 * 60_000); // the user sets the clock back 15 min
    const token = manager.getToken({ minValidityMs: 30_000 });
    await tick();
    expect(await token).not.toBe(first);
    expect(backend.calls).toHaveLength(2);
  });

  it('shows a token that died during a sleep as gone at once on read, before any timer or event', async () => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = manage(backend, { page: new FakePageSignals() });
    manager.subscribe(() => undefined);
    await tick();
    backend.respondWith(() => new Promise(() => undefined));
    vi.setSystemTime(Date.now() + 2 * 3600_000); // asleep: the wall clock ran on, no timer fired
    expect(manager.getState().token).toBeUndefined();
    expect(manager.getState().status).not.toBe('valid');
  });

  it('refuses a token already expired by the clock offset it learned from an earlier token', async () => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = manage(backend);
    await manager.getToken();
    await tick(1000);
    backend.respondWith(() => Promise.resolve(backend.mint({ issuedAt: Date.now() - 2 * 3600_000 })));
    await expect(manager.refresh()).rejects.toMatchObject({ code: 'invalid-token', message: expect.stringMatching(/expired/) });
  });

  it('refuses a token whose times are in milliseconds, and takes the next good one', async () => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = manage(backend);
    const seconds = Math.floor(Date.now() / 1000);
    backend.respondWith(() => Promise.resolve(backend.mint({ claims: { iat: seconds * 1000, exp: (seconds + 3600) * 1000 } })));
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'invalid-token', message: expect.stringMatching(/milliseconds/) });
    expect(manager.getState().token).toBeUndefined();
    await tick(1000);
    // Nothing learned from it: the server's clock did not jump 55,000 years ahead.
    await expect(manager.getToken()).resolves.toMatchObject({ expiresAt: (seconds + 3601) * 1000 });
  });

  it('rejects a minValidityMs no fresh token can meet, saying so', async () => {
    const manager = manage(tokenBackend({ ttlSeconds: 60 }));
    await expect(manager.getToken({ minValidityMs: 120_000 })).rejects.toThrow(/minValidityMs = 120000 ms: a fresh one lasts 60 s/);
  });
});

describe('one gate for every request', () => {
  it('sends nothing inside a Retry-After, and turns callers down with retryAt', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage(backend);
    await manager.getToken();
    await tick(1000);
    backend.respondWith(() => Promise.reject(new TokenError('http', '429', { status: 429, retryAfterMs: 120_000 })));
    await manager.refresh().catch(() => undefined);
    const calls = Array.from({ length: 11 }, () => manager.getToken({ minValidityMs: 59_500 }));
    for (const call of calls) call.catch(() => undefined);
    await tick(2000);
    expect(backend.calls).toHaveLength(2);
    for (const call of calls) await expect(call).rejects.toMatchObject({ status: 429, retryAt: START + 1000 + 120_000 });
    await tick(118_000);
    expect(backend.calls).toHaveLength(2);
  });

  it('sends at most one request a second to a listener that refreshes on every valid state', async () => {
    const backend = tokenBackend();
    const manager = manage(backend);
    manager.subscribe((state) => {
      if (state.status === 'valid') manager.refresh().catch(() => undefined);
    });
    await tick(10_000);
    expect(backend.calls.length).toBeGreaterThanOrEqual(9);
    expect(backend.calls.length).toBeLessThanOrEqual(11);
  });

  it.each([
    ['in the last second of the held token', 1000, 1500],
    ['in the last second of a fresh token’s lifetime (no token can meet it)', 3_599_500, 0],
    ['that only a token fetched this very moment meets', 3_599_000, 0],
  ])('sends at most one request a second to a caller looping on getToken() with minValidityMs %s', async (_, minValidityMs, leftMs) => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = manage(backend);
    await manager.getToken();
    await tick(manager.getState().expiresAt! - Date.now() - leftMs);
    const before = backend.calls.length;
    // Callers who ask at the same moment share one request.
    const together = Array.from({ length: 50 }, () => manager.getToken({ minValidityMs }).catch(() => undefined));
    // One caller in a loop: the next call 1 ms after the last one settled, for 10 s.
    let calls = 0;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      calls += 1;
      let isSettled = false;
      void manager.getToken({ minValidityMs }).catch(() => undefined).then(() => (isSettled = true));
      while (!isSettled) await tick(1);
    }
    await Promise.all(together);
    expect(calls).toBeGreaterThan(10);
    expect(backend.calls.length - before).toBeLessThanOrEqual(11);
  });

  it('rejects a getToken() whose signal is already aborted, without a request', async () => {
    const backend = tokenBackend();
    const manager = manage(backend);
    await expect(manager.getToken({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
    await tick(5000);
    expect(backend.calls).toHaveLength(0);
  });
});

describe('clear errors', () => {
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
});

describe('hostile inputs', () => {
  it('keeps the one-request-a-second gate with a jitter source that answers NaN', async () => {
    const backend = tokenBackend();
    backend.respondWith(...Array.from({ length: 100 }, () => () => Promise.reject(new TypeError('down'))));
    const manager = manage(backend, { random: () => Number.NaN });
    manager.subscribe(() => undefined);
    await tick(10_000);
    expect(backend.calls.length).toBeGreaterThan(1);
    expect(backend.calls.length).toBeLessThanOrEqual(11);
  });

  it('aborts the request in flight with a stopped reason, not a timeout', async () => {
    const backend = tokenBackend();
    backend.respondWith(hang);
    const manager = manage(backend);
    manager.getToken().catch(() => undefined);
    await tick();
    manager.stop();
    expect(backend.calls[0]!.signal.reason).toMatchObject({ code: 'stopped' });
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

describe('snapshot identity', () => {
  it('keeps getState() the same object between reads, though the two clocks drift apart by fractions', async () => {
    const drifting = {
      now: () => Date.now(),
      // A monotonic clock a little fast, with fractional milliseconds, as performance.now() is.
      monotonicNow: () => performance.now() * 1.0001 + 0.123,
      schedule: (work: () => void, delay = 0) => asyncScheduler.schedule(work, delay),
    } as TokenScheduler;
    const manager = manage(tokenBackend(), { scheduler: drifting });
    manager.subscribe(() => undefined);
    await tick();
    const first = manager.getState();
    expect(first.nextRefreshAt).toBeDefined();
    for (let i = 0; i < 20; i++) {
      await tick(7);
      expect(manager.getState()).toBe(first);
    }
  });
});

describe('always settles', () => {
  it.each([0, 1, 2, 3, 5])('settles refresh() and getToken() when stop() lands %i microtasks after a token', async (delay) => {
    const backend = tokenBackend();
    let deliver!: (jwt: string) => void;
    backend.respondWith(() => new Promise((resolve) => (deliver = resolve)));
    const manager = manage(backend);
    const refreshed = manager.refresh();
    const got = manager.getToken();
    await tick();
    deliver(backend.mint());
    const outcomes = [settled(refreshed), settled(got)];
    for (let i = 0; i < delay; i++) await Promise.resolve();
    manager.stop();
    for (const outcome of await Promise.all(outcomes)) expect(outcome).not.toBe('pending');
  });
});

describe('events$ and onEvent', () => {
  it('tells each request, token, failure and refusal, with reasons and codes, never a JWT', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const seen: TokenEvent[] = [];
    const network = new FakeNetworkSignals();
    const page = new FakePageSignals();
    const manager = manage(backend, { onEvent: (event) => seen.push(event), network, page });
    const streamed: TokenEvent[] = [];
    manager.events$.subscribe((event) => streamed.push(event));
    manager.subscribe(() => undefined);
    await tick();
    backend.respondWith(
      () => Promise.reject(new TokenError('http', 'down', { status: 500 })),
      () => Promise.resolve(backend.mint({ identity: 'mallory' })),
    );
    await tick(45_000);
    network.set(false);
    network.set(true);
    page.emit('wake');
    await tick(1000);
    const refreshed = manager.refresh();
    await tick(1000);
    await refreshed;
    manager.stop();

    expect(streamed).toEqual(seen);
    const types = seen.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['request', 'token', 'failure', 'refused', 'network', 'wake', 'stopped']));
    expect(seen.filter((e) => e.type === 'request').map((e) => e.type === 'request' && e.reason)).toEqual(['initial', 'scheduled', 'retry', 'refresh']);
    expect(seen.find((e) => e.type === 'token')).toMatchObject({ origin: 'fetched', identity: 'alice', lifetimeMs: 60_000 });
    expect(seen.find((e) => e.type === 'failure')).toMatchObject({ code: 'http', status: 500, attempt: 1, retryAt: expect.any(Number) });
    expect(seen.find((e) => e.type === 'refused')).toMatchObject({ code: 'identity-mismatch', origin: 'fetched' });
    for (const event of seen) expect(JSON.stringify(event)).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
  it('says on a failure the wait the server asked for (Retry-After), and none when it asked for none', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const seen: TokenEvent[] = [];
    const manager = manage(backend, { onEvent: (event) => seen.push(event) });
    manager.subscribe(() => undefined); // someone wants tokens: the manager retries in the background
    await manager.getToken();
    await tick(1000);
    backend.respondWith(
      () => Promise.reject(new TokenError('http', '503', { status: 503, retryAfterMs: 5_000 })),
      () => Promise.reject(new TokenError('http', '500', { status: 500 })),
      () => Promise.reject(new TokenError('http', '503', { status: 503, retryAfterMs: Number.NaN })),
    );
    await manager.refresh().catch(() => undefined);
    await tick(5_000);
    await tick(60_000);
    manager.stop();
    const failures = seen.filter((event) => event.type === 'failure');
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures[0]).toMatchObject({ status: 503, retryAfterMs: 5_000, retryAt: failures[0]!.at + 5_000 });
    expect(failures[1]).not.toHaveProperty('retryAfterMs');
    expect(failures[2]).not.toHaveProperty('retryAfterMs');
  });
});
