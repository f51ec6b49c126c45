import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAccessToken } from 'twilio-token-lifecycle';
import { learnClockOffset, placeFetched, placeShared, serverTime } from '../../src/lifecycle/placement';
import { T0, at, mint } from '../helpers/lifecycle';

const token = (options: Parameters<typeof mint>[0] = {}) => parseAccessToken(mint(options));
const wallOf = (placement: ReturnType<typeof placeFetched>) => {
  if (placement instanceof Error) throw placement;
  return { usableAt: placement.usableAt.wall - T0, refreshAt: placement.refreshAt.wall - T0, expiresAt: placement.expiresAt.wall - T0 };
};

describe('placeFetched', () => {
  it.each([
    // [what, token options, sent (ms after T0), received, Date header (ms after T0), expected times (ms after T0)]
    ['counts the lifetime from the send time, nbf from the receipt', { notBefore: T0 + 20_000 }, 0, 2_000, undefined, { usableAt: 22_000, refreshAt: 3_299_000, expiresAt: 3_599_000 }],
    ['never holds a token past its exp when iat was rounded down', { issuedAt: T0 }, 900, 950, undefined, { usableAt: 950, refreshAt: 3_299_900, expiresAt: 3_599_900 }],
    ['is not fooled by a client clock 10 min behind', { issuedAt: T0 + 600_000 }, 0, 100, undefined, { usableAt: 100, refreshAt: 3_299_000, expiresAt: 3_599_000 }],
    // A Date a few seconds past iat may be a slow signer or a clock ahead, or a token cached seconds ago:
    // the Date's word is taken, which costs a fresh token those seconds and keeps a cached one short of exp.
    ['counts from a server Date a few seconds past iat', {}, 0, 0, 4_000, { usableAt: 0, refreshAt: 3_295_000, expiresAt: 3_595_000 }],
    ['never holds a token cached 3 s past its exp, by the server’s Date', { issuedAt: T0 - 2_000 }, 1_000, 1_050, 1_000, { usableAt: 1_050, refreshAt: 3_297_000, expiresAt: 3_597_000 }],
    ['shortens a token minted long before the server’s Date', {}, 0, 0, 600_000, { usableAt: 0, refreshAt: 2_699_000, expiresAt: 2_999_000 }],
  ] as const)('%s', (_, options, sent, received, date, expected) => {
    const placed = placeFetched(token(options), { sentAt: at(sent), receivedAt: at(received), serverNow: date && T0 + date }, undefined, undefined);
    expect(wallOf(placed)).toEqual(expected);
  });

  it('holds the expiry never past exp and less than 1 s before it, for every sub-second send time', () => {
    for (let ms = 0; ms < 1000; ms += 7) {
      const placed = placeFetched(token({ issuedAt: T0 + ms }), { sentAt: at(ms), receivedAt: at(ms + 30) }, undefined, undefined);
      expect(wallOf(placed).expiresAt).toBeLessThanOrEqual(3_600_000);
      expect(wallOf(placed).expiresAt).toBeGreaterThan(3_599_000 - 1);
    }
  });

  it('never holds a token served from a cache past its exp, by the server’s whole-second Date, however young the copy (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }), // how old the token is when the request reaches the server, ms
        fc.integer({ min: 0, max: 86_399_999 }), // when (the server's true time) the request arrives, ms after T0
        fc.integer({ min: -2500, max: 2500 }), // the client's clocks minus the server's, ms
        fc.integer({ min: 0, max: 1500 }), // up
        fc.integer({ min: 0, max: 1500 }), // down
        (ageMs, arriveAt, offsetMs, upMs, downMs) => {
          const minted = T0 + arriveAt - ageMs;
          // iat and Date are whole seconds, floored; the client's clocks read `offsetMs` more than the server's.
          const cached = token({ issuedAt: Math.floor(minted / 1000) * 1000 });
          const serverNow = Math.floor((T0 + arriveAt) / 1000) * 1000;
          const sentAt = at(arriveAt - upMs + offsetMs);
          const placed = placeFetched(cached, { sentAt, receivedAt: at(arriveAt + downMs + offsetMs), serverNow }, undefined, undefined);
          // On the server's clock, the held expiry is `offsetMs` earlier than our wall clock says.
          expect(wallOf(placed).expiresAt - offsetMs).toBeLessThanOrEqual(cached.expiresAt - T0);
        },
      ),
      { seed: 20261207, numRuns: 500 },
    );
  });

  it.each([
    // [what, the earlier fresh token: its iat and when its request was sent and answered (ms after T0)]
    ['its iat rounded down by 999 ms', { iat: 0, sent: 999, received: 999 }],
    ['its answer 3 s on the way back', { iat: 0, sent: 0, received: 3000 }],
    ['both', { iat: 0, sent: 999, received: 4000 }],
  ] as const)('never holds a stale token judged by the offset learned from an earlier one past its exp: %s', (_, earlier) => {
    // The server's clock is ours. The earlier token taught the offset; the stale one (minted 10 min before
    // it was served, from a cache) comes with no Date header, sent and answered at once at 100 s.
    const offset = learnClockOffset(undefined, token({ issuedAt: T0 + earlier.iat }), { sentAt: at(earlier.sent), receivedAt: at(earlier.received) })!;
    const stale = token({ issuedAt: T0 + 100_000 - 600_000 });
    const placed = placeFetched(stale, { sentAt: at(100_000), receivedAt: at(100_000), clockOffset: offset }, undefined, undefined);
    expect(wallOf(placed).expiresAt).toBeLessThanOrEqual(stale.expiresAt - T0);
    expect(wallOf(placed).expiresAt).toBeGreaterThan(stale.expiresAt - T0 - 2000);
  });

  it('counts no rounding slack for a reference with milliseconds (a non-standard fractional iat)', () => {
    const placed = placeFetched(token({ claims: { iat: T0 / 1000 + 0.5, exp: T0 / 1000 + 3600 } }), { sentAt: at(500), receivedAt: at(500) }, undefined, undefined);
    expect(wallOf(placed).expiresAt).toBe(3_600_000);
  });

  it.each([
    ['already expired by the Date header', { issuedAt: T0 - 7_200_000 }, { serverNow: T0 }, /already expired/],
    ['already expired by the clock offset learned before', { issuedAt: T0 - 7_200_000 }, { clockOffset: { wall: 0, mono: T0 - 10_000 } }, /already expired/],
    ['nbf after its own exp', { notBefore: T0 + 4_000_000 }, {}, /never usable/],
    ['nbf 24 h ahead with no token in hand', { notBefore: T0 + 86_400_000, ttlSeconds: 90_000 }, {}, /too late/],
  ] as const)('refuses a token %s as invalid-token', (_, options, timing, message) => {
    const refused = placeFetched(token(options), { sentAt: at(0), receivedAt: at(0), ...timing }, undefined, undefined);
    expect(refused).toMatchObject({ code: 'invalid-token', retryable: true, message: expect.stringMatching(message) });
  });

  it('refuses a token whose nbf comes after the current token expires, accepts one before', () => {
    const current = placeFetched(token(), { sentAt: at(0), receivedAt: at(0) }, undefined, undefined) as Exclude<ReturnType<typeof placeFetched>, Error>;
    const late = token({ issuedAt: T0 + 3_000_000, notBefore: T0 + 3_700_000 });
    expect(placeFetched(late, { sentAt: at(3_000_000), receivedAt: at(3_000_000) }, current, undefined)).toMatchObject({ code: 'invalid-token' });
    const soon = token({ issuedAt: T0 + 3_000_000, notBefore: T0 + 3_010_000 });
    expect(wallOf(placeFetched(soon, { sentAt: at(3_000_000), receivedAt: at(3_000_000) }, current, undefined)).usableAt).toBe(3_010_000);
  });

  it('uses the monotonic clock too: a wall clock set back does not stretch the expiry', () => {
    const placed = placeFetched(token(), { sentAt: at(0), receivedAt: at(0) }, undefined, undefined);
    if (placed instanceof Error) throw placed;
    expect(placed.expiresAt.mono - placed.usableAt.mono).toBe(3_599_000);
  });
});

describe('placeShared', () => {
  it('takes the sharing tab’s times, but never past what the token allows', () => {
    const placed = placeShared(token(), { usableAt: 0, expiresAt: T0 + 99 * 3_600_000 }, at(0), undefined, undefined, undefined);
    expect(wallOf(placed).expiresAt).toBe(3_600_000);
  });

  it('refuses a shared token that is dead by the known clock offset', () => {
    expect(placeShared(token(), { usableAt: 0, expiresAt: T0 + 3_600_000 }, at(3_700_000), undefined, { wall: 0, mono: T0 - 10_000 }, undefined)).toMatchObject({ code: 'invalid-token' });
  });
});

describe('learnClockOffset', () => {
  const timing = (ms: number, extra = {}) => ({ sentAt: at(ms), receivedAt: at(ms), ...extra });

  it('learns the offset from the iat and the Date header, whichever is later', () => {
    const t = token({ issuedAt: T0 + 60_000 });
    expect(learnClockOffset(undefined, t, timing(0))).toEqual({ wall: 60_000, mono: T0 + 50_000 });
    expect(learnClockOffset(undefined, t, timing(0, { serverNow: T0 + 90_000 }))).toEqual({ wall: 90_000, mono: T0 + 80_000 });
    expect(learnClockOffset(undefined, undefined, timing(0))).toBeUndefined();
  });

  it('only ever raises an offset: a stale token teaches nothing wrong, a fresh one corrects a clock set back', () => {
    const known = learnClockOffset(undefined, token(), timing(0))!;
    const stale = token({ issuedAt: T0 - 7_200_000 });
    expect(learnClockOffset(known, stale, timing(1000))).toEqual(known);
    // The wall clock set back an hour: the next fresh token raises the wall bound by an hour.
    const setBack = { wall: T0 + 2000 - 3_600_000, mono: 12_000 };
    const afterSetBack = learnClockOffset(known, token({ issuedAt: T0 + 2000 }), { sentAt: setBack, receivedAt: setBack })!;
    expect(afterSetBack.wall).toBe(known.wall + 3_600_000);
  });

  it('judges a fresh token by the monotonic bound, so a wall clock set forward refuses nothing', () => {
    const offset = learnClockOffset(undefined, token(), timing(0))!;
    const fresh = token({ issuedAt: T0 + 1000 });
    expect(serverTime(offset, at(1000), fresh) - T0).toBe(1000);
    // Wall clock set 10 min forward: the monotonic reading wins for a token minted just now.
    expect(serverTime(offset, { wall: T0 + 601_000, mono: 11_000 }, fresh) - T0).toBe(1000);
  });

  it('judges a stale token by the later bound, so a sleep that stopped the monotonic clock hides nothing', () => {
    const offset = learnClockOffset(undefined, token(), timing(0))!;
    const stale = token({ issuedAt: T0 - 7_200_000 });
    // An hour asleep: the wall clock ran on, the monotonic one stood still.
    expect(serverTime(offset, { wall: T0 + 3_600_000, mono: 10_000 }, stale) - T0).toBe(3_600_000);
    const placed = placeFetched(stale, { sentAt: { wall: T0 + 3_600_000, mono: 10_000 }, receivedAt: { wall: T0 + 3_600_000, mono: 10_000 }, clockOffset: offset }, undefined, undefined);
    expect(placed).toMatchObject({ code: 'invalid-token' });
  });
});
