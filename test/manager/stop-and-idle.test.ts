import { describe, expect, it, vi } from 'vitest';
import type { TokenManager } from 'twilio-token-lifecycle';
import { outcome, settled, tick, useManagerHarness, WITHOUT_SIGNALS } from '../helpers/manager-harness';
import { hang, tokenBackend } from '../helpers/token-backend';

// Work starts with the first subscriber and ends a grace period after the last; stop() aborts, settles
// every promise with `stopped` and leaves no timer, even when called from inside a callback.
const { manageBackend: manage, withDefaults } = useManagerHarness();

describe('before the first subscriber and after the last', () => {
  it('makes no request and arms no timer before the first subscriber', async () => {
    const backend = tokenBackend();
    const manager = manage(backend);
    await tick(60_000);
    expect(backend.calls).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(manager.getState()).toEqual({ status: 'idle' });
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
});

describe('an idle grace longer than setTimeout can hold', () => {
  // As the adversarial review ran them: no page or network signals.
  const { manage } = withDefaults(WITHOUT_SIGNALS);

  it('keeps scheduling with an idle grace longer than setTimeout can hold', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage({ fetchToken: backend.fetchToken, idleGraceMs: 2 ** 40 });
    manager.subscribe(() => undefined)();
    await tick(600_000);
    expect(backend.calls.length).toBeGreaterThan(5);
  });
});

describe('stop()', () => {
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

  it('aborts the request in flight with a stopped reason, not a timeout', async () => {
    const backend = tokenBackend();
    backend.respondWith(hang);
    const manager = manage(backend);
    manager.getToken().catch(() => undefined);
    await tick();
    manager.stop();
    expect(backend.calls[0]!.signal.reason).toMatchObject({ code: 'stopped' });
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

describe('stop() from inside a callback', () => {
  // As the adversarial review ran them: no page or network signals.
  const { manage } = withDefaults(WITHOUT_SIGNALS);

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
