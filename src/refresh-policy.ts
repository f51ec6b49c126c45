/** Retry settings for failed token requests. */
export interface RetryOptions {
  /**
   * Consecutive failures retried before giving up until the next `refresh()`/`getToken()`.
   * @default Infinity (keep retrying while someone wants a token)
   */
  limit?: number;
  /** First backoff ceiling; it doubles per failure. @default 1000 */
  baseDelayMs?: number;
  /** Largest backoff ceiling. @default 60000 */
  maxDelayMs?: number;
}

export const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;
/** No loop in this library sends more than one request per this many ms. */
export const MIN_REQUEST_INTERVAL_MS = 1000;
/** The longest `Retry-After` obeyed. */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/**
 * How long before expiry to refresh. The default lead is capped at a quarter of the token's lifetime
 * (a 60 s token is refreshed 15 s early); an explicit one at half, so a refresh never loops.
 */
export function refreshLeadMs(lifetimeMs: number, refreshBeforeMs?: number): number {
  if (refreshBeforeMs === undefined) return Math.min(DEFAULT_REFRESH_BEFORE_MS, lifetimeMs / 4);
  return Math.max(0, Math.min(refreshBeforeMs, lifetimeMs / 2));
}

/**
 * Delay before retry number `attempt` (1 for the first): exponential backoff with full jitter,
 * or the server's `Retry-After`, and never under {@link MIN_REQUEST_INTERVAL_MS}.
 */
export function retryDelayMs(
  attempt: number,
  retry: Required<RetryOptions>,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, MIN_REQUEST_INTERVAL_MS), MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(MIN_REQUEST_INTERVAL_MS, Math.floor(random() * ceiling));
}
