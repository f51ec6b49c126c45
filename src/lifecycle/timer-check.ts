import type { Now } from './clock';

// A timer this late (throttled tab, sleeping machine) means the page was not running: say `wake`.
const LATE_TIMER_MS = 3000;
// Chrome runs a hidden tab's timers about once a minute; a timer later than this means a sleep.
const SLEPT_TIMER_MS = 120_000;

/**
 * What a timer armed at `armedAt` for `delayMs` says when it fires at `now`: a `tick` when on time; a
 * `wake` when late. The machine slept (`hasSlept`) when the wall clock ran on while the monotonic one
 * stood still, or when the timer came far later than a throttled tab's (about a minute); merely late
 * is a throttled tab.
 */
export function timerEvent(armedAt: Now, delayMs: number, now: Now): { type: 'tick'; now: Now } | { type: 'wake'; now: Now; hasSlept: boolean } {
  const ranMs = now.mono - armedAt.mono;
  const lateMs = ranMs - delayMs;
  const hasSlept = now.wall - armedAt.wall - ranMs > LATE_TIMER_MS || lateMs > SLEPT_TIMER_MS;
  return hasSlept || lateMs > LATE_TIMER_MS ? { type: 'wake', now, hasSlept } : { type: 'tick', now };
}
