import { beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeBroadcastHub, FakeLockManager, mintTestToken } from 'twilio-token-lifecycle/testing';
import { START, tick, useManagerHarness, VirtualClock, WITHOUT_SIGNALS } from '../helpers/manager-harness';
import { tokenBackend } from '../helpers/token-backend';

// The manager's own cross-tab edges (the sharing itself: test/cross-tab.test.ts): a channel that cannot
// open, and a tab that starts after the clock was set back.
const { manage } = useManagerHarness(WITHOUT_SIGNALS);

// The sharing code is a lazily loaded chunk: load it before the virtual-time tests need it.
beforeAll(() => import('../../src/cross-tab/cross-tab'));

describe('a channel that cannot open', () => {
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
