import { describe, expect, it } from 'vitest';
import { createTokenManager } from 'twilio-token-lifecycle';
import { mintTestToken, VirtualClock, type VirtualClockOptions } from 'twilio-token-lifecycle/testing';

describe('VirtualClock options and arguments', () => {
  // `new VirtualClock({ trueNow: props.start })`: each undefined is the default.
  it('takes every option set to undefined as absent', () => {
    const given = new VirtualClock({ trueNow: undefined, wallOffsetMs: undefined, monoOrigin: undefined, captureStacks: undefined });
    const plain = new VirtualClock();
    expect([given.trueNow, given.wall, given.mono]).toEqual([plain.trueNow, plain.wall, plain.mono]);
  });

  // A NaN start made every clock NaN: each timer then never came due, or all at once.
  it.each([
    ['trueNow', Number.NaN],
    ['trueNow', '2026-01-01'],
    ['wallOffsetMs', Infinity],
    ['monoOrigin', Number.NaN],
  ])('throws a TypeError naming `%s` for %s', (name, value) => {
    expect(() => new VirtualClock({ [name]: value } as VirtualClockOptions)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(`\`${name}\``) }),
    );
  });

  // advance(Infinity) fired a refreshing manager's timers for ever: the test hung instead of failing.
  it.each([
    ['advance', (clock: VirtualClock) => clock.advance(Infinity)],
    ['advanceTo', (clock: VirtualClock) => clock.advanceTo(Infinity)],
    ['sleep', (clock: VirtualClock) => clock.sleep(Infinity)],
    ['sleepTo', (clock: VirtualClock) => clock.sleepTo(Infinity)],
  ])('%s(Infinity) throws a RangeError at once, even with a refreshing manager', async (_, call) => {
    const clock = new VirtualClock();
    const manager = createTokenManager({
      fetchToken: async () => mintTestToken({ issuedAt: clock.trueNow, ttlSeconds: 60 }),
      scheduler: clock.scheduler,
      page: false,
      network: false,
    });
    const subscription = manager.token$.subscribe();
    try {
      await clock.advance(0);
      await expect(Promise.resolve().then(() => call(clock))).rejects.toThrow(RangeError);
      expect(Number.isFinite(clock.trueNow)).toBe(true);
    } finally {
      subscription.unsubscribe();
      manager.stop();
    }
  });
});
