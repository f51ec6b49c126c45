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
 * A deadline moved onto both clocks as they read `now`, at whichever says sooner (as {@link observe} does). After a sleep the
 * monotonic clock did not count, only the wall clock knows how late it is: re-anchored, the deadline no
 * longer depends on the wall clock staying where it is.
 */
export const reanchor = (stamp: Stamp, now: Now): Stamp => after(now, msUntilEarliest(stamp, now));

/**
 * A deadline as a reading of both clocks leaves it. Once the wall clock has moved against the monotonic
 * one (set back or forward, or a sleep that only the wall clock counted), the deadline is re-anchored: a
 * set-back seen before a sleep then no longer hides the sleep. At a wake, a wall clock that went back
 * meanwhile leaves how long the machine slept unknowable: the deadline is now.
 */
export function observe(stamp: Stamp, now: Now, isWake?: boolean): Stamp {
  const driftMs = now.wall - now.mono - stamp.wall + stamp.mono;
  // Back by more than 1 s at a wake: no jitter or small NTP step. And the two clocks' readings drift
  // apart by up to 2 ms on their own (`Date.now()` counts whole ms, `performance.now()` is coarsened).
  return isWake && driftMs < -1000 ? now : Math.abs(driftMs) > 2 ? after(now, msUntilEarliest(stamp, now)) : stamp;
}

/**
 * How long until a gate opens (rate limit, `Retry-After`, backoff, `nbf`): real elapsed time, so a
 * clock set forward cannot open it early. A gate that is not set is open: 0.
 */
export const msUntilGate = (stamp: Stamp | undefined, now: Now): number => (stamp ? stamp.mono - now.mono : 0);
