import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../src/options';
import { refreshLeadMs, retryDelayMs } from '../src/refresh-policy';
import { parseRetryAfter } from '../src/http-token-source';

describe('refreshLeadMs', () => {
  it.each([
    [10_000, undefined, 2_500],
    [60_000, undefined, 15_000],
    [3600_000, undefined, 300_000],
    [86_400_000, undefined, 300_000],
    [3600_000, 600_000, 600_000],
    [60_000, 600_000, 30_000],
    [60_000, -5, 0],
  ])('for a %i ms token with refreshBeforeMs %s is %i ms', (lifetime, option, lead) => {
    expect(refreshLeadMs(lifetime, option)).toBe(lead);
  });
});

describe('retryDelayMs', () => {
  it.each([
    [1, 0.5, 1_000],
    [3, 0.5, 2_000],
    [5, 0.5, 8_000],
    [10, 0.999, 59_940],
    [30, 0.5, 30_000],
    [4, 0, 1_000],
  ])('attempt %i with random %f waits %i ms', (attempt, random, delay) => {
    expect(retryDelayMs(attempt, DEFAULT_RETRY, () => random)).toBe(delay);
  });

  it('honours Retry-After, but never under a second', () => {
    expect(retryDelayMs(1, DEFAULT_RETRY, () => 0.5, 120_000)).toBe(120_000);
    expect(retryDelayMs(1, DEFAULT_RETRY, () => 0.5, 0)).toBe(1_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates against the server clock', () => {
    expect(parseRetryAfter('5', undefined, 0)).toBe(5_000);
    const serverNow = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', serverNow, 0)).toBe(30_000);
    expect(parseRetryAfter('soon', serverNow, 0)).toBeUndefined();
    expect(parseRetryAfter(null, serverNow, 0)).toBeUndefined();
  });
});
