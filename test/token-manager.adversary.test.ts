import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenManager, TokenError, type TokenManager } from 'twilio-token-lifecycle';
import { FakeBroadcastHub, FakeLockManager, mintTestToken } from 'twilio-token-lifecycle/testing';
import { START, tick, useManagerHarness } from './helpers/manager-harness';
import { tokenBackend } from './helpers/token-backend';
import { VirtualClock } from './helpers/virtual-clock';

// What an adversarial review found, each kept as a test: misuse from inside callbacks, hostile
// transports, clocks moved under another tab.
const { manage } = useManagerHarness({ page: false, network: false });

/** How a promise stands, read later; its rejection is always handled. */
function outcome<T>(promise: Promise<T>) {
  const seen: { state: 'pending' | 'resolved' | 'rejected'; value?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(seen, { state: 'resolved', value }),
    (error: unknown) => Object.assign(seen, { state: 'rejected', value: error }),
  );
  return seen;
}

beforeAll(() => import('../src/cross-tab/cross-tab'));

describe('stop() from inside a callback', () => {
  it('rejects a getToken() called right after it', async () => {
    const manager = manage({ fetchToken: tokenBackend().fetchToken });
    let late: ReturnType<typeof outcome> | undefined;
    manager.subscribe((state) => {
      if (state.status === 'valid' && !late) {
        manager.stop();
        late = outcome(manager.getToken());
      }
    });
    await tick(100);
    expect(late).toMatchObject({ state: 'rejected', value: { code: 'stopped' } });
  });

  it('publishes the stopped state, not the last valid one', async () => {
    const manager = manage({ fetchToken: tokenBackend({ ttlSeconds: 60 }).fetchToken });
    manager.subscribe((state) => {
      if (state.status === 'valid') manager.stop();
    });
    await tick(120_000);
    expect(manager.getState()).toEqual({ status: 'stopped' });
  });

  it('still tells events$ it stopped, then completes', async () => {
    const seen: string[] = [];
    const manager: TokenManager = manage({
      fetchToken: tokenBackend().fetchToken,
      onEvent: (event) => event.type === 'token' && manager.stop(),
    });
    manager.events$.subscribe({ next: (event) => seen.push(event.type), complete: () => seen.push('complete') });
    manager.subscribe(() => undefined);
    await tick(100);
    expect(seen.slice(-2)).toEqual(['stopped', 'complete']);
  });
});

describe('hostile transports', () => {
  it('keeps the request gate when a transport reports Retry-After as NaN', async () => {
    let calls = 0;
    const manager = manage({
      fetchToken: () =>
        ++calls > 50 ? new Promise(() => undefined) : Promise.reject(new TokenError('http', '503', { status: 503, retryAfterMs: Number.NaN })),
    });
    manager.subscribe(() => undefined);
    await tick(2000);
    expect(calls).toBeLessThanOrEqual(3);
  });

  it('never puts a whole JWT from a transport’s error message into the state or an event', async () => {
    const jwt = mintTestToken();
    const messages: string[] = [];
    const manager = manage({ fetchToken: () => Promise.reject(new Error(`upstream rejected ${jwt}`)), onEvent: (event) => messages.push(JSON.stringify(event)) });
    manager.subscribe(() => undefined);
    await tick();
    messages.push(manager.getState().error!.message);
    for (const message of messages) expect(message).not.toContain(jwt);
  });

  it('binds to a first token without identity, and then refuses one for mallory', async () => {
    const backend = tokenBackend({ ttlSeconds: 600 });
    backend.respondWith(() => Promise.resolve(backend.mint({ identity: null })));
    const manager = manage({ fetchToken: backend.fetchToken });
    manager.subscribe(() => undefined);
    await tick();
    backend.respondWith(() => Promise.resolve(backend.mint({ identity: 'mallory' })));
    await tick(2000);
    const refreshed = outcome(manager.refresh());
    await tick(2000);
    expect(manager.getState().token?.identity).toBeUndefined();
    expect(refreshed).toMatchObject({ state: 'rejected', value: { code: 'identity-mismatch' } });
  });
});

describe('misuse', () => {
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

  it('rejects getToken(null) instead of throwing', async () => {
    const manager = manage({ fetchToken: tokenBackend().fetchToken });
    await expect(manager.getToken(null as never)).resolves.toMatchObject({ identity: 'alice' });
  });

  it('keeps scheduling with an idle grace longer than setTimeout can hold', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage({ fetchToken: backend.fetchToken, idleGraceMs: 2 ** 40 });
    manager.subscribe(() => undefined)();
    await tick(600_000);
    expect(backend.calls.length).toBeGreaterThan(5);
  });

  it.each([-1, '5000'])('throws a TypeError for request.timeout %j', (timeout) => {
    expect(() => createTokenManager({ url: 'https://example.test/token', request: { timeout } as never })).toThrow(/`request.timeout`/);
  });

  it('turns a channel that cannot open into a tab on its own, not an unhandled rejection', async () => {
    const manager = manage({
      fetchToken: tokenBackend().fetchToken,
      crossTab: {
        key: 'k',
        locks: null,
        channel: () => {
          throw new Error('no channel');
        },
      },
    });
    manager.subscribe(() => undefined);
    await tick(1000);
    expect(manager.getState().status).toBe('valid');
  });
});

describe('another tab after the clock was set back', () => {
  it('is never given a token that outlives its true expiry', async () => {
    vi.useRealTimers();
    const clock = new VirtualClock({ trueNow: START });
    const hub = new FakeBroadcastHub();
    const locks = new FakeLockManager();
    const fetchToken = async () => mintTestToken({ issuedAt: clock.trueNow, ttlSeconds: 3600 });
    const tab = () => manage({ fetchToken, scheduler: clock.scheduler, crossTab: { key: 'app', channel: hub.factory, locks, identity: 'alice' } });
    const first = tab();
    first.subscribe(() => undefined);
    await clock.advance(1000);
    const token = first.getState().token!;
    await clock.advance(50 * 60_000);
    clock.jumpWall(-15 * 60_000);
    const second = tab();
    second.subscribe(() => undefined);
    await clock.advance(500);
    expect(second.getState().token?.jwt).toBe(token.jwt);
    // Its expiry, read on the (set back) wall clock, is still the token's true one.
    expect(second.getState().expiresAt! - clock.wall).toBeLessThanOrEqual(token.expiresAt - clock.trueNow + 1000);
  });
});
