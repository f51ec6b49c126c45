import FakeTimers from '@sinonjs/fake-timers';

/** Virtual time for a benchmark: timers, Date and performance, driven with `tickAsync`. */
export function installClock(now = Date.parse('2026-01-01T00:00:00Z')) {
  return FakeTimers.install({ now, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
}

export const HOUR = 3600_000;
export const MINUTE = 60_000;
