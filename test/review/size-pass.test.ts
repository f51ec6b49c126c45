import { describe, expect, it } from 'vitest';
import { Subscription, type SchedulerAction } from 'rxjs';
import { connectVideo, type TokenScheduler } from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
import { outcome, tick, useManagerHarness } from '../helpers/manager-harness';

// What a review of the size pass of 2026-12-07 (adfad38..1ac2701) found: behaviour the "no behaviour
// change" refactors or the placement rule changed, each kept as a test on virtual time.
const { manage } = useManagerHarness({ page: false, network: false });

describe('a fresh token fetched without a readable Date (a cross-origin endpoint, fetchToken)', () => {
  // The server's clock is ours; each way takes `wayMs`. The token is minted on arrival, whole-second iat.
  const slowSigner = (wayMs: number, ttlSeconds: number) => async () => {
    await new Promise((resolve) => setTimeout(resolve, wayMs));
    const jwt = mintTestToken({ issuedAt: Date.now(), ttlSeconds });
    await new Promise((resolve) => setTimeout(resolve, wayMs));
    return jwt;
  };

  it('is held as long as the first one: the learned offset does not count the round trip twice', async () => {
    const manager = manage({ fetchToken: slowSigner(2500, 20) });
    const first = manager.getToken();
    await tick(5000);
    await first;
    const firstHeldMs = manager.getState().expiresAt! - Date.now();
    // The offset learned from the first judges the next.
    const second = manager.refresh();
    await tick(5000);
    await second;
    const secondHeldMs = manager.getState().expiresAt! - Date.now();
    // A 20 s token over a 5 s round trip: 20 − 5 − 1 s (whole-second iat) at most, and the second as the first.
    expect(firstHeldMs).toBeGreaterThanOrEqual(13_500);
    expect(secondHeldMs).toBeGreaterThanOrEqual(firstHeldMs - 1000);
  });

  it('lets connectVideo take a fresh 20 s token over a slow link (its default asks 9.5 s of it)', async () => {
    const manager = manage({ fetchToken: slowSigner(2500, 20) });
    const first = manager.getToken();
    await tick(5000);
    await first;
    // Ten seconds on, the first token has under 9.5 s left: connectVideo fetches another.
    await tick(10_000);
    const room = connectVideo(manager, async (jwt: string) => ({ jwt }));
    const result = room.then(
      (value) => ({ ok: true, value }),
      (error: Error) => ({ ok: false, value: error.message }),
    );
    await tick(10_000);
    expect(await result).toMatchObject({ ok: true });
  });
});

/**
 * A scheduler on setTimeout whose timer ids are reused once free, as HTML allows ("an id not already
 * in the map of active timers"): a handle kept after its timer fired clears whichever timer has its id now.
 */
function reusedIdScheduler(): TokenScheduler {
  const active = new Map<number, ReturnType<typeof setTimeout>>();
  return {
    now: () => Date.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T) {
      let id = 0;
      while (active.has(id)) id += 1;
      active.set(id, setTimeout(() => {
        active.delete(id);
        work.call(undefined as unknown as SchedulerAction<T>, state);
      }, delay));
      return new Subscription(() => {
        clearTimeout(active.get(id));
        active.delete(id);
      });
    },
  };
}

describe('a timer handle kept after its timer fired (c9e47a1 stopped forgetting them)', () => {
  it('never cancels another timer of the same scheduler: the app’s, after an idle grace ran out', async () => {
    const scheduler = reusedIdScheduler();
    const manager = manage({ fetchToken: async () => mintTestToken({ ttlSeconds: 3600 }), scheduler, idleGraceMs: 1000 });
    const unsubscribe = manager.subscribe(() => undefined);
    await tick(100);
    unsubscribe();
    // The grace runs out: the schedule stops (its timer cancelled, the grace timer fired).
    await tick(2000);
    // The app's own timers, on the same scheduler, take the ids now free.
    const fired: number[] = [];
    for (const n of [0, 1, 2]) scheduler.schedule(() => void fired.push(n), 5000);
    // A component mounts again.
    manager.subscribe(() => undefined);
    await tick(6000);
    expect(fired).toEqual([0, 1, 2]);
  });

  it('never cancels a timer an onEvent listener sets when the manager’s own timer fires', async () => {
    const scheduler = reusedIdScheduler();
    const fired: string[] = [];
    const manager = manage({
      fetchToken: async () => mintTestToken({ ttlSeconds: 60 }),
      scheduler,
      // A refresh the schedule starts (its timer fired): the app sets a timer of its own.
      onEvent: (event) => {
        if (event.type === 'request' && event.reason === 'scheduled') scheduler.schedule(() => void fired.push('app'), 1000);
      },
    });
    manager.subscribe(() => undefined);
    // A 60 s token is refreshed 15 s before its end.
    await tick(50_000);
    expect(fired).toEqual(['app']);
  });
});

describe('stop() from a listener that the read at the start of getToken() sets off', () => {
  it('rejects that getToken() with `stopped`, never leaves it pending', async () => {
    // A sign-out handler: the token is gone, so the manager goes too.
    const manager = manage({
      fetchToken: async () => mintTestToken({ ttlSeconds: 60 }),
      onEvent: (event) => {
        if (event.type === 'expired') manager.stop();
      },
    });
    await manager.getToken();
    // Idle (nobody subscribed): no timer sees the expiry; the next getToken()'s read of the clock does.
    await tick(120_000);
    const late = outcome(manager.getToken());
    await tick(30_000);
    expect(late.state).toBe('rejected');
    expect(late.value).toMatchObject({ code: 'stopped' });
  });
});

describe('getState() while nothing changes (plan returns a fresh {} since 392e71a)', () => {
  // useSyncExternalStore renders again, forever, when each read gives a new object.
  it('returns the same object, read after read: idle, active and stopped', async () => {
    const manager = manage({ fetchToken: async () => mintTestToken({ ttlSeconds: 3600 }) });
    expect(manager.getState()).toBe(manager.getState());
    manager.subscribe(() => undefined);
    await tick(100);
    const active = manager.getState();
    await tick(1000);
    expect(manager.getState()).toBe(active);
    manager.stop();
    expect(manager.getState()).toBe(manager.getState());
  });
});
