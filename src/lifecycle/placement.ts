import { invalidToken as refused, type AccessToken } from '../access-token';
import type { TokenError } from '../errors';
import { refreshLeadMs } from '../refresh-policy';
import { after, msUntilEarliest, observe, type Now, type Stamp } from './clock';

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

/**
 * The server's clock minus each of ours, as learned from whole-second readings against the time the
 * request was sent: at most 1 s under the truth, and at most the request's way there over it. Kept
 * against both clocks, so that moving one breaks nothing.
 */
export interface ClockOffset {
  readonly wall: number;
  readonly mono: number;
}

// A token minted up to this long before the monotonic reading of the server's time looks fresh by it.
const STALE_TOKEN_TOLERANCE_MS = 5000;

/**
 * The server's time now, by the offsets learned (its whole second: up to 1 s more), for judging `token`.
 * The monotonic reading never runs ahead (that clock never runs ahead of real time); the wall one does
 * only if the wall clock was set forward, but it is the one that stays right when the monotonic clock
 * stood still in a sleep. So a token minted after the monotonic reading has shown itself fresh and is
 * judged by that reading alone; any other is judged by the later of the two.
 */
export function serverTime(offset: ClockOffset, now: Now, token: AccessToken): number {
  const byMono = now.mono + offset.mono;
  return token.issuedAt >= byMono - STALE_TOKEN_TOLERANCE_MS ? byMono : Math.max(byMono, now.wall + offset.wall);
}

// With no token in hand, a fetched token may make us wait this long for its `nbf`, no longer.
export const MAX_NOT_BEFORE_WAIT_MS = 30_000;

/**
 * Places a fetched token on the local clocks without trusting the local wall clock: its remaining
 * lifetime counts from when the request was sent, so a client clock hours off changes nothing. The
 * token was minted after the request went out, and its whole-second `iat` is at most 1 s behind that
 * instant, so `sent + (exp − iat) − 1 s` is never past `exp` on the server's clock. The
 * server's clock (its `Date`, or the offset learned before) only ever shortens it: a token served
 * from a cache, even seconds old, counts from that time instead; one already dead by it is refused.
 */
export function placeFetched(
  token: AccessToken,
  timing: FetchTiming,
  current: Placement | undefined,
  refreshBeforeMs: number | undefined,
): Placement | TokenError {
  const { sentAt, receivedAt } = timing;
  const { issuedAt, expiresAt, notBefore } = token;
  // The server's time at an instant, by its `Date` (the answer's) or the offset learned before.
  const serverAt = (at: Now) => timing.serverNow ?? (timing.clockOffset && serverTime(timing.clockOffset, at, token));
  // (No server time known: `undefined` compares false.)
  if (expiresAt <= serverAt(receivedAt)!) return refused('it had already expired by the server’s clock');
  // The later of the two: a Date a few seconds past iat is a slow signer, a server clock ahead (both
  // cost a few seconds of lifetime, no more) or a cached token (held past exp if its iat were trusted).
  // By the offset, the time the request was sent, as the lifetime counts from then (read at the
  // receipt, it would cost every fresh token its round trip twice).
  const reference = Math.max(issuedAt, serverAt(sentAt) ?? -Infinity);
  // A time written in whole seconds may lag the instant it stands for by up to 1 s: `iat`, and for a
  // token minted earlier the server's time (its `Date`, or what the offset was learned from) are
  // floored. Where the server's second begins on our clocks is unknown (a skew of a fraction of a
  // second, nearly always), so the whole second counts. A non-standard `iat` with milliseconds needs none.
  const roundingSlackMs = reference > issuedAt || !(issuedAt % 1000) ? 1000 : 0;
  const expiresAtHere = after(sentAt, expiresAt - reference - roundingSlackMs);
  if (msUntilEarliest(expiresAtHere, receivedAt) <= 0) return refused('it had already expired on arrival');
  return placeWithNotBefore(token, receivedAt, expiresAtHere, (notBefore ?? reference) - reference, current, refreshBeforeMs);
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
    clockOffset ? token.expiresAt - serverTime(clockOffset, now, token) : Infinity,
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

/** A held token's expiry and refresh time brought up to a reading of the clocks (see `observe`); its `nbf` wait is a gate: late is safe. */
export function observed<P extends Placement>(placed: P | undefined, now: Now, isWake?: boolean): P | undefined {
  const expiresAt = placed && observe(placed.expiresAt, now, isWake);
  return expiresAt === placed?.expiresAt ? placed : { ...placed!, expiresAt: expiresAt!, refreshAt: observe(placed!.refreshAt, now, isWake) };
}

/**
 * What an answer teaches about the server's clock: it had reached the token's `iat` and the `Date`
 * header by the time the answer arrived, and the second after them not before the request was sent.
 * Counted from the send time, a whole-second reading of a fresh answer is less than 1 s behind the
 * server's clock; counted from the arrival, it could be behind by the answer's way back too, which a
 * later, quicker request would not make up for. Each offset only ever rises, so one stale token teaches
 * nothing wrong, and after the wall clock is set back the next answer corrects it.
 */
export function learnClockOffset(known: ClockOffset | undefined, token: AccessToken | undefined, timing: FetchTiming): ClockOffset | undefined {
  const seen = Math.max(token?.issuedAt ?? -Infinity, timing.serverNow ?? -Infinity);
  if (seen === -Infinity) return known;
  const { wall, mono } = timing.sentAt;
  return { wall: Math.max(seen - wall, known?.wall ?? -Infinity), mono: Math.max(seen - mono, known?.mono ?? -Infinity) };
}
