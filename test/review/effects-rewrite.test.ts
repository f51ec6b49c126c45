import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenError, type AccessToken, type TokenEvent, type TokenManager } from 'twilio-token-lifecycle';
import { FakeBroadcastHub, FakeLockManager, FakePageSignals, mintTestToken, VirtualClock } from 'twilio-token-lifecycle/testing';
import { START, useManagerHarness } from '../helpers/manager-harness';

// What a review of "the plan carries every effect" (the runtime carrying out the effects `step`
// returns) found: behaviour the rewrite changed, each kept as a test on virtual time.
const { manage } = useManagerHarness({ page: false, network: false });

// The manager loads its cross-tab code lazily; load it up front so virtual time alone drives the tests.
beforeAll(() => import('../../src/cross-tab/cross-tab'));

beforeEach(() => {
  // The virtual clock lets promise chains settle on real macrotasks.
  vi.useRealTimers();
});

/** How a promise stands, read later; its rejection is always handled. */
function outcome<T>(promise: Promise<T>) {
  const seen: { state: 'pending' | 'resolved' | 'rejected'; value?: unknown } = { state: 'pending' };
  promise.then(
    (value) => Object.assign(seen, { state: 'resolved', value }),
    (error: unknown) => Object.assign(seen, { state: 'rejected', value: error }),
  );
  return seen;
}

const describeEvent = (event: TokenEvent) => (event.type === 'request' ? `request:${event.reason}` : event.type);

describe('stop() from inside an onEvent listener', () => {
  it('ends the step there: no event for a request that is never sent', async () => {
    const clock = new VirtualClock({ trueNow: START });
    const page = new FakePageSignals();
    let calls = 0;
    const seen: string[] = [];
    const manager: TokenManager = manage({
      fetchToken: async () => (calls++, mintTestToken({ issuedAt: clock.trueNow, ttlSeconds: 3600 })),
      scheduler: clock.scheduler,
      page,
      // A sign-out handler: the token is gone, so the manager goes too.
      onEvent: (event) => {
        seen.push(describeEvent(event));
        if (event.type === 'expired') manager.stop();
      },
    });
    manager.subscribe(() => undefined);
    await clock.advance(1000);
    // The laptop sleeps past the token's expiry; the page wakes: the token is found expired at once.
    clock.sleep(2 * 3600_000);
    page.emit('wake');
    await clock.advance(1000);
    expect(calls).toBe(1);
    // Once stop() is called, events$ says only that it stopped.
    expect(seen.slice(seen.indexOf('expired') + 1)).toEqual(['stopped']);
  });

  it('rejects a getToken() that was waiting with `stopped`, not with the token of the same step', async () => {
    const clock = new VirtualClock({ trueNow: START });
    let token: AccessToken | undefined;
    const manager: TokenManager = manage({
      fetchToken: () => new Promise((resolve) => clock.setTimer(() => resolve(mintTestToken({ issuedAt: clock.trueNow })), 100)),
      scheduler: clock.scheduler,
      onEvent: (event) => event.type === 'token' && manager.stop(),
    });
    const waiting = outcome(manager.getToken().then((got) => (token = got)));
    const statuses: string[] = [];
    manager.subscribe((state) => statuses.push(state.status));
    await clock.advance(1000);
    // The state the stop cut short (valid, with the token) is never published: after fetching, stopped.
    expect(statuses).toEqual(['stopped']);
    // After sign-out, nothing may go on to connect an SDK with the signed-out user's token.
    expect(token).toBeUndefined();
    expect(waiting).toMatchObject({ state: 'rejected', value: { code: 'stopped' } });
    expect(clock.pendingSchedulerTimers).toBe(0);
  });

  it('leaves no timer and no request behind when it stops on a failure', async () => {
    const clock = new VirtualClock({ trueNow: START });
    const signals: AbortSignal[] = [];
    let calls = 0;
    const manager: TokenManager = manage({
      fetchToken: ({ signal }) => {
        signals.push(signal);
        return ++calls === 1 ? Promise.reject(Object.assign(new Error('boom'))) : new Promise(() => undefined);
      },
      scheduler: clock.scheduler,
      onEvent: (event) => event.type === 'failure' && manager.stop(),
    });
    const waiting = outcome(manager.getToken());
    await clock.advance(120_000);
    expect(calls).toBe(1);
    expect(waiting).toMatchObject({ state: 'rejected', value: { code: 'stopped' } });
    expect(clock.pendingSchedulerTimers).toBe(0);
  });
});
describe('stop() after the laptop slept past the token', () => {
  it('tells only that it stopped, as before the rewrite: no expiry found on the way out', async () => {
    const clock = new VirtualClock({ trueNow: START });
    const seen: string[] = [];
    const manager = manage({
      fetchToken: async () => mintTestToken({ issuedAt: clock.trueNow, ttlSeconds: 3600 }),
      scheduler: clock.scheduler,
      onEvent: (event) => seen.push(describeEvent(event)),
    });
    manager.subscribe(() => undefined);
    await clock.advance(1000);
    // Asleep past expiry, no timer fired yet; the app signs out on waking.
    clock.sleep(2 * 3600_000);
    manager.stop();
    expect(seen).toEqual(['request:initial', 'token', 'stopped']);
  });
});

describe("the 'failure' event", () => {
  it.each([Infinity, -5, Number.NaN])('leaves out a Retry-After of %s, which no request waits for as such', async (retryAfterMs) => {
    const clock = new VirtualClock({ trueNow: START });
    const failures: TokenEvent[] = [];
    const manager = manage({
      // A server's `Retry-After: 999…9` (400 digits) parses as Infinity.
      fetchToken: () => Promise.reject(new TokenError('http', 'busy', { status: 503, retryAfterMs })),
      scheduler: clock.scheduler,
      onEvent: (event) => event.type === 'failure' && failures.push(event),
    });
    manager.subscribe(() => undefined);
    await clock.advance(100);
    expect(failures[0]).toMatchObject({ code: 'http', status: 503 });
    expect(failures[0]).not.toHaveProperty('retryAfterMs');
  });
});

describe('the backoff jitter', () => {
  /** When the retry after a timed-out request is planned, given how often the app read the state meanwhile. */
  async function retryAtAfterReads(reads: number): Promise<number | undefined> {
    const clock = new VirtualClock({ trueNow: START });
    // A scripted source: each draw gives another value, so which draw the backoff got shows.
    let draws = 0;
    const failures: Array<number | undefined> = [];
    const manager = manage({
      // A hung server: every request runs into the timeout.
      fetchToken: ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
      scheduler: clock.scheduler,
      timeoutMs: 5000,
      retry: { baseDelayMs: 10_000 },
      random: () => [0.9, 0.1, 0.3, 0.7][draws++ % 4]!,
      onEvent: (event) => event.type === 'failure' && failures.push(event.retryAt),
    });
    manager.subscribe(() => undefined);
    await clock.advance(1000);
    // A React app renders: each render reads the state.
    for (let i = 0; i < reads; i++) manager.getState();
    await clock.advance(5000);
    return failures[0];
  }

  it('does not depend on how often the app reads the state', async () => {
    const quiet = await retryAtAfterReads(0);
    expect(quiet).toBeDefined();
    for (const reads of [1, 2, 3]) expect(await retryAtAfterReads(reads)).toBe(quiet);
  });
});

describe('an effect that throws', () => {
  it('is reported, and the effects after it still happen: the waiting getToken() settles, the schedule runs on', async () => {
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    try {
      const clock = new VirtualClock({ trueNow: START });
      const hub = new FakeBroadcastHub();
      // A channel of the app's own that cannot pass a token on (its `post` throws).
      const channel = (name: string) => {
        const inner = hub.factory(name);
        return { ...inner, post: (message: { type: string }) => (message.type === 'token' ? failToPost() : inner.post(message as never)) };
      };
      const failToPost = () => {
        throw new Error('channel broke');
      };
      let calls = 0;
      const manager = manage({
        fetchToken: () => (calls++, new Promise((resolve) => clock.setTimer(() => resolve(mintTestToken({ issuedAt: clock.trueNow, ttlSeconds: 600 })), 100))),
        scheduler: clock.scheduler,
        crossTab: { key: 'app', channel, locks: new FakeLockManager(), identity: 'alice' },
      });
      manager.subscribe(() => undefined);
      const waiting = outcome(manager.getToken());
      await clock.advance(1000);
      expect(waiting.state).toBe('resolved');
      expect(errors).toEqual([expect.objectContaining({ message: 'channel broke' })]);
      // Refreshed before expiry with no read or call to wake it: the timer was armed.
      await clock.advance(600_000);
      expect(calls).toBeGreaterThanOrEqual(2);
    } finally {
      await Promise.resolve();
      process.off('uncaughtException', onError);
    }
  });
});
