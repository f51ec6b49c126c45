import type { AccessToken } from './access-token';
import type { TokenError } from './errors';

/**
 * - `idle`: nothing fetched yet (or nothing wanted).
 * - `fetching`: a request is in flight; `token` is still set while the previous one is valid.
 * - `valid`: a token is held and the last request succeeded.
 * - `error`: the last request failed; `token` is still set while the previous one is valid.
 * - `expired`: the held token expired and no new one came; `error` says why, if a request failed.
 * - `stopped`: `stop()` was called.
 */
export type TokenStatus = 'idle' | 'fetching' | 'valid' | 'error' | 'expired' | 'stopped';

/** A snapshot of the manager. The object keeps its identity until something in it changes. */
export interface TokenState {
  readonly status: TokenStatus;
  /** Present exactly while a token that has not expired is held. */
  readonly token?: AccessToken;
  /**
   * The last request's failure (or a token refused from another tab, when there was none), until a
   * token comes.
   */
  readonly error?: TokenError;
  /** When the next request is planned (scheduler clock, epoch ms), while one is planned. */
  readonly nextRefreshAt?: number;
  /**
   * When the held token expires on the local (scheduler) clock. Unlike `token.expiresAt`, this is
   * corrected for a wrong client clock.
   */
  readonly expiresAt?: number;
  /** When the held token enters its refresh window (local clock, epoch ms). */
  readonly refreshAt?: number;
  /** Present while the browser is offline: background requests pause until it is back. */
  readonly offline?: true;
  /**
   * With cross-tab sharing on: whether this tab fetches for all (`refresher`) or takes the
   * refresher's tokens (`follower`).
   */
  readonly role?: 'refresher' | 'follower';
}

export const sameState = (a: TokenState, b: TokenState): boolean =>
  Object.keys({ ...a, ...b }).every((field) => a[field as keyof TokenState] === b[field as keyof TokenState]);
