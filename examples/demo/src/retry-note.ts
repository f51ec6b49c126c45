// What the page says about the next try while requests fail: when, and why then. Pure.

export interface RetryFacts {
  /** When the manager's next background attempt is planned (epoch ms), if one is. */
  readonly retryAt: number | undefined;
  /** The wait the server asked for with Retry-After, if it did. */
  readonly retryAfterMs: number | undefined;
  /** Failed requests in a row so far. */
  readonly failures: number;
  /** The browser is offline: the manager waits for it to come back. */
  readonly offline?: boolean;
}

/** "4.2 s", "1 min 5 s". */
export const countdown = (ms: number): string =>
  ms <= 0 ? '0.0 s' : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1000)} s`;

const failuresText = (n: number) => `${n} failure${n === 1 ? '' : 's'}`;

/** E.g. "Next try in 4.2 s (backoff after 2 failures)", "Next try in 4.2 s (after 1 failure; the server said Retry-After 5 s)". */
export function nextTryText(facts: RetryFacts, now: number): string {
  const { retryAt, retryAfterMs, failures, offline } = facts;
  if (offline) return 'Offline: the next try comes when the browser is back online';
  if (retryAt === undefined) return 'No retry planned (retrying cannot help): press Refresh now';
  if (retryAt <= now) return 'Trying again now';
  const why =
    retryAfterMs === undefined
      ? `backoff after ${failuresText(failures)}`
      : `after ${failuresText(failures)}; the server said Retry-After ${Math.round(retryAfterMs / 1000)} s`;
  return `Next try in ${countdown(retryAt - now)} (${why})`;
}

/** Beside the status while there is no fresh token: that a try is coming, and when. Empty when all is well. */
export function statusHint(status: string, nextRefreshAt: number | undefined, now: number, offline = false): string {
  if (status !== 'expired' && status !== 'error') return '';
  if (offline) return 'retries when back online';
  if (nextRefreshAt === undefined) return status === 'expired' ? 'no retry planned: press Refresh now' : '';
  return nextRefreshAt > now ? `next try in ${countdown(nextRefreshAt - now)}` : 'trying again now';
}
