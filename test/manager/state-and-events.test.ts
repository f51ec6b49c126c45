import { asyncScheduler, firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TokenError, type TokenEvent, type TokenScheduler, type TokenState } from 'twilio-token-lifecycle';
import { FakeNetworkSignals, FakePageSignals, mintTestToken } from 'twilio-token-lifecycle/testing';
import { tick, useManagerHarness, WITHOUT_SIGNALS } from '../helpers/manager-harness';
import { tokenBackend } from '../helpers/token-backend';

// What subscribers see: a snapshot that keeps its identity until the state changes, Observables that
// replay, listeners isolated from each other, and events$/onEvent that tell every step without a JWT.
const { manageBackend: manage, withDefaults } = useManagerHarness();

describe('state, snapshots and Observables', () => {
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
});

describe('a listener that throws', () => {
  // As the adversarial review ran them: no page or network signals.
  const { manage } = withDefaults(WITHOUT_SIGNALS);

  it('isolates a listener that throws: subscribe() returns, the others still hear every change', async () => {
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    try {
      const manager = manage({ fetchToken: tokenBackend().fetchToken });
      const seen: string[] = [];
      expect(() =>
        manager.subscribe((state) => {
          if (state.status === 'fetching' || state.status === 'valid') throw new Error('listener bug');
        }),
      ).not.toThrow();
      manager.subscribe((state) => seen.push(state.status));
      await tick(100);
      expect(seen).toContain('valid');
    } finally {
      await Promise.resolve();
      process.off('uncaughtException', onError);
    }
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

describe('a JWT in a transport’s error', () => {
  // As the adversarial review ran them: no page or network signals.
  const { manage } = withDefaults(WITHOUT_SIGNALS);

  it('never puts a whole JWT from a transport’s error message into the state or an event', async () => {
    const jwt = mintTestToken();
    const messages: string[] = [];
    const manager = manage({ fetchToken: () => Promise.reject(new Error(`upstream rejected ${jwt}`)), onEvent: (event) => messages.push(JSON.stringify(event)) });
    manager.subscribe(() => undefined);
    await tick();
    messages.push(manager.getState().error!.message);
    for (const message of messages) expect(message).not.toContain(jwt);
  });
});
