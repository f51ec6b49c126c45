import { invalidToken as refused, type AccessToken } from '../access-token';
import type { TokenError } from '../errors';
import { refreshLeadMs } from '../refresh-policy';
import { after, msUntilEarliest, type Now, type Stamp } from './clock';

/** When a held token becomes usable, is due for refresh and expires, on the local clocks. */
export interface Placement {
  readonly usableAt: Stamp;
  readonly refreshAt: Stamp;
  readonly expiresAt: Stamp;
}

export interface FetchTiming {
  readonly sentAt: Stamp;
  readonly receivedAt: Now;
  /** The response's `Date` header (server clock, epoch ms), when readable. */
  readonly serverNow?: number | undefined;
  /** The server's clock against ours, as learned earlier, if it was. */
  readonly clockOffset?: ClockOffset | undefined;
}

/** The server's clock minus each of ours. Kept against both, so that moving one clock breaks nothing. */
export interface ClockOffset {
  readonly wall: number;
  readonly mono: number;
}

/**
 * The server's time now, by an offset learned earlier. The lower of the two readings: after the wall
 * clock is set forward (or the monotonic one stood still in sleep) the other is right, and guessing
 * low only ever accepts a token, never refuses a good one.
 */
export const serverTime = (offset: ClockOffset, now: Now): number => Math.min(now.wall + offset.wall, now.mono + offset.mono);

// A `Date` up to this far past `iat` is network and signing time, not a token minted long ago.
const STALE_TOKEN_TOLERANCE_MS = 5000;
// With no token in hand, a fetched token may make us wait this long for its `nbf`, no longer.
export const MAX_NOT_BEFORE_WAIT_MS = 30_000;

/** How far a time written in whole seconds may lag the instant it stands for, seen from `at`. */
function roundingSlackMs(secondsValue: number, at: number): number {
  // `iat` and `Date` are floored to the second: the server's real instant may be up to 1 s later.
  // Its sub-second phase is unknown, so assume the server's seconds tick in step with ours.
  if (secondsValue % 1000 !== 0) return 0;
  return (((at - secondsValue) % 1000) + 1000) % 1000;
}

/**
 * Places a fetched token on the local clocks without trusting the local wall clock: its remaining
 * lifetime counts from when the request was sent, so a client clock hours off changes nothing. The
 * server's clock (its `Date`, or the offset learned before) only ever shortens it, for a token minted
 * earlier, and refuses one that is already dead by it.
 */
export function placeFetched(
  token: AccessToken,
  timing: FetchTiming,
  current: Placement | undefined,
  refreshBeforeMs: number | undefined,
): Placement | TokenError {
  const { sentAt, receivedAt } = timing;
  const { issuedAt, expiresAt, notBefore } = token;
  const serverNow = timing.serverNow ?? (timing.clockOffset && serverTime(timing.clockOffset, receivedAt));
  if (serverNow !== undefined && expiresAt <= serverNow) return refused('it had already expired by the server’s clock');
  const reference = serverNow !== undefined && serverNow - issuedAt > STALE_TOKEN_TOLERANCE_MS ? serverNow : issuedAt;
  const expiresAtHere = after(sentAt, Math.min(expiresAt - issuedAt, expiresAt - reference) - roundingSlackMs(reference, sentAt.wall));
  if (msUntilEarliest(expiresAtHere, receivedAt) <= 0) return refused('it had already expired on arrival');
  return placeWithNotBefore(token, receivedAt, expiresAtHere, notBefore === undefined ? 0 : notBefore - reference, current, refreshBeforeMs);
}

/**
 * Places a token another tab holds, from the times it sent (its wall clock is ours: same machine),
 * never trusting them past what the token itself allows.
 */
export function placeShared(
  token: AccessToken,
  shared: { usableAt: number; expiresAt: number },
  now: Now,
  current: Placement | undefined,
  clockOffset: ClockOffset | undefined,
  refreshBeforeMs: number | undefined,
): Placement | TokenError {
  const expiresIn = Math.min(
    shared.expiresAt - now.wall,
    token.expiresAt - token.issuedAt,
    clockOffset ? token.expiresAt - serverTime(clockOffset, now) : Infinity,
  );
  if (!(expiresIn > 0)) return refused('the one another tab sent had expired');
  return placeWithNotBefore(token, now, after(now, expiresIn), shared.usableAt - now.wall, current, refreshBeforeMs);
}

function placeWithNotBefore(
  token: AccessToken,
  receivedAt: Now,
  expiresAt: Stamp,
  notBeforeInMs: number,
  current: Placement | undefined,
  refreshBeforeMs: number | undefined,
): Placement | TokenError {
  if (token.notBefore !== undefined && token.notBefore >= token.expiresAt) return refused('its "nbf" is not before its "exp": never usable');
  // nbf counts from receipt: being late to use a token is safe, being early is not.
  const waitMs = Math.max(0, notBeforeInMs);
  const usableAt = after(receivedAt, waitMs);
  const lastUsefulIn = current ? msUntilEarliest(current.expiresAt, receivedAt) : MAX_NOT_BEFORE_WAIT_MS;
  if (waitMs > 0 && (waitMs >= lastUsefulIn || msUntilEarliest(expiresAt, usableAt) <= 0)) {
    return refused(`its "nbf" is ${Math.round(waitMs / 1000)} s ahead, too late to use`);
  }
  return { usableAt, expiresAt, refreshAt: after(expiresAt, -refreshLeadMs(token.expiresAt - token.issuedAt, refreshBeforeMs)) };
}

/** The server's clock against ours, from a `Date` header or (failing that) a freshly minted token's `iat`. */
export function estimateClockOffset(token: AccessToken, timing: FetchTiming): ClockOffset {
  const { sentAt, receivedAt } = timing;
  if (timing.serverNow === undefined && timing.clockOffset !== undefined) return timing.clockOffset;
  // Both are floored to the second: +500 centres the estimate on the request's midpoint.
  const server = (timing.serverNow ?? token.issuedAt) + 500;
  return { wall: server - (sentAt.wall + receivedAt.wall) / 2, mono: server - (sentAt.mono + receivedAt.mono) / 2 };
}
