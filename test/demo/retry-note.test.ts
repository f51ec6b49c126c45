// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { nextTryText, statusHint } from '../../examples/demo/src/retry-note';

const now = 1_800_000_000_000;

describe('nextTryText: the failure panel says when the next try is, and why then', () => {
  it.each([
    ['backoff, no Retry-After', { retryAt: now + 4_000, retryAfterMs: undefined, failures: 2 }, 'Next try in 4.0 s (backoff after 2 failures)'],
    ['one failure', { retryAt: now + 1_250, retryAfterMs: undefined, failures: 1 }, 'Next try in 1.3 s (backoff after 1 failure)'],
    ['the server said Retry-After', { retryAt: now + 4_000, retryAfterMs: 5_000, failures: 2 }, 'Next try in 4.0 s (after 2 failures; the server said Retry-After 5 s)'],
    ['a long wait', { retryAt: now + 65_000, retryAfterMs: 65_000, failures: 1 }, 'Next try in 1 min 5 s (after 1 failure; the server said Retry-After 65 s)'],
    ['the try is due', { retryAt: now, retryAfterMs: undefined, failures: 3 }, 'Trying again now'],
    ['no retry planned (a 401 or 403)', { retryAt: undefined, retryAfterMs: undefined, failures: 1 }, 'No retry planned (retrying cannot help): press Refresh now'],
    ['offline', { retryAt: now + 4_000, retryAfterMs: undefined, failures: 2, offline: true }, 'Offline: the next try comes when the browser is back online'],
  ])('%s', (_name, facts, expected) => {
    expect(nextTryText(facts, now)).toBe(expected);
  });
});

describe('statusHint: never a bare "expired" or "error"', () => {
  it.each([
    ['valid says nothing more', 'valid', now + 4_000, false, ''],
    ['fetching says nothing more', 'fetching', undefined, false, ''],
    ['expired, a try planned', 'expired', now + 2_500, false, 'next try in 2.5 s'],
    ['error, a try planned', 'error', now + 10_000, false, 'next try in 10.0 s'],
    ['expired, the try due', 'expired', now - 10, false, 'trying again now'],
    ['expired, no try planned', 'expired', undefined, false, 'no retry planned: press Refresh now'],
    ['expired while offline', 'expired', now + 2_500, true, 'retries when back online'],
  ] as const)('%s', (_name, status, nextRefreshAt, offline, expected) => {
    expect(statusHint(status, nextRefreshAt, now, offline)).toBe(expected);
  });
});
