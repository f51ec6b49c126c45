/**
 * The two clocks the lifecycle reads, always together: the wall clock (`Date.now()`, which the user or
 * NTP can move) and a monotonic one (`performance.now()`, which only moves forward, though it may
 * stand still while the machine sleeps). Both come from the scheduler seam.
 */
export interface Now {
  readonly wall: number;
  readonly mono: number;
}

/** An instant on both clocks at once. */
export type Stamp = Now;

/** The instant `ms` after `now`, on both clocks. */
export const after = (now: Now, ms: number): Stamp => ({ wall: now.wall + ms, mono: now.mono + ms });

/**
 * How long until a deadline that must not be missed (expiry, refresh): whichever clock says sooner.
 * A clock set back cannot hide an expiry, and a machine that slept (monotonic clock stood still)
 * cannot either.
 */
export const msUntilEarliest = (stamp: Stamp, now: Now): number =>
  Math.min(stamp.wall - now.wall, stamp.mono - now.mono);

/**
 * A deadline moved onto both clocks as they read `now`, at whichever says sooner. After a sleep the
 * monotonic clock did not count, only the wall clock knows how late it is: re-anchored, the deadline no
 * longer depends on the wall clock staying where it is.
 */
export const reanchor = (stamp: Stamp, now: Now): Stamp => after(now, msUntilEarliest(stamp, now));

// Readings of the two clocks drift apart by this much on their own (`Date.now()` counts whole ms and
// `performance.now()` is coarsened): only a move past it is a clock set back.
const JITTER_MS = 2;
// At a wake, a wall clock this far back against the monotonic one is no jitter or small NTP step.
const SET_BACK_MS = 1000;

/**
 * A deadline as a reading of both clocks leaves it. A wall clock set back since the last reading (it went
 * back against the monotonic one) takes the deadline's wall time back with it, so a sleep that only the
 * wall clock counts still counts in full. At a wake the deadline is re-anchored; unless the wall clock
 * went back meanwhile: then how long the machine slept is unknowable, and the deadline is now.
 */
export function observe(stamp: Stamp, now: Now, isWake: boolean): Stamp {
  const setBackMs = stamp.wall - stamp.mono - (now.wall - now.mono);
  return isWake ? (setBackMs > SET_BACK_MS ? now : reanchor(stamp, now)) : setBackMs > JITTER_MS ? reanchor(stamp, now) : stamp;
}

/**
 * How long until a gate opens (rate limit, `Retry-After`, backoff, `nbf`): real elapsed time, so a
 * clock set forward cannot open it early. A gate that is not set is open: 0.
 */
export const msUntilGate = (stamp: Stamp | undefined, now: Now): number => (stamp ? stamp.mono - now.mono : 0);
