import { describe, expect, it } from 'vitest';
import { parseAccessToken } from 'twilio-token-lifecycle';
import { sharedToken } from '../../src/lifecycle/shared-token';
import type { HeldToken } from '../../src/lifecycle/state';
import { timerEvent } from '../../src/lifecycle/timer-check';
import { T0, at, mint } from '../helpers/lifecycle';

describe('timerEvent: what a timer says when it fires', () => {
  it.each([
    // [what, armed at, delay (ms), fired at, expected]
    ['on time: a tick', at(0), 10_000, at(10_000), { type: 'tick' }],
    ['3 s late, no more: still a tick', at(0), 10_000, at(13_000), { type: 'tick' }],
    ['a throttled tab’s timer a minute late: a wake, not a sleep', at(0), 1_000, at(61_000), { type: 'wake', hasSlept: false }],
    ['more than 2 min late: the machine slept', at(0), 1_000, at(122_000), { type: 'wake', hasSlept: true }],
    ['on time by the monotonic clock, but the wall clock ran on 40 min: a sleep it did not count', at(0), 60_000, at(60_000 + 2_400_000, -2_400_000), { type: 'wake', hasSlept: true }],
    ['on time, the wall clock set back an hour meanwhile: a tick', at(0), 60_000, at(60_000 - 3_600_000, 3_600_000), { type: 'tick' }],
  ] as const)('%s', (_, armedAt, delay, now, expected) => {
    expect(timerEvent(armedAt, delay, now)).toEqual({ ...expected, now });
  });
});

describe('sharedToken: a held token as this tab passes it on', () => {
  const token = parseAccessToken(mint());
  const held = (shiftMono = 0): HeldToken => ({
    token,
    origin: 'fetched',
    requestId: 0,
    usableAt: at(0, shiftMono),
    refreshAt: at(3_299_000, shiftMono),
    expiresAt: at(3_599_000, shiftMono),
  });

  it.each([
    // [what, held, now, expected times (ms after T0)]; usableAt is a gate, counted on the monotonic clock
    ['clocks in step: the times as held', held(), at(1000), { usableAt: 0, refreshAt: 3_299_000, expiresAt: 3_599_000 }],
    ['the wall clock set back 10 min: counted from the clock as it reads now, not stretched', held(), at(1000 - 600_000, 600_000), { usableAt: -600_000, refreshAt: 2_699_000, expiresAt: 2_999_000 }],
    ['the wall clock set forward 10 min: the sooner wall times stand', held(), at(1000 + 600_000, -600_000), { usableAt: 600_000, refreshAt: 3_299_000, expiresAt: 3_599_000 }],
  ] as const)('%s', (_, heldToken, now, expected) => {
    const shared = sharedToken(heldToken, now);
    expect(shared.jwt).toBe(token.jwt);
    expect({ usableAt: shared.usableAt - T0, refreshAt: shared.refreshAt - T0, expiresAt: shared.expiresAt - T0 }).toEqual(expected);
  });
});
