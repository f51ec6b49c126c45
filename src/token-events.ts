import type { TokenErrorCode, ServerError } from './errors';
import type { FetchReason } from './lifecycle/state';

/** Where a held token came from: this tab's own request, or another tab that shares with it. */
export type TokenOrigin = 'fetched' | 'tab';

/**
 * One thing that happened to the manager, for logs and debugging tools (`events$`, `onEvent`).
 * Times are on the scheduler's wall clock (epoch ms). No event ever carries a whole JWT.
 */
export type TokenEvent =
  /** A token request was sent. */
  | { readonly type: 'request'; readonly at: number; readonly reason: FetchReason; readonly attempt: number }
  /** A token was taken: it is held now, or (with `nbf` ahead) once `usableAt` comes. */
  | {
      readonly type: 'token';
      readonly at: number;
      readonly origin: TokenOrigin;
      readonly identity: string | undefined;
      /** `exp − iat`, as the server wrote it. */
      readonly lifetimeMs: number;
      readonly usableAt: number;
      readonly refreshAt: number;
      readonly expiresAt: number;
      /** The last characters of the signature: enough to tell tokens apart, useless to an attacker. */
      readonly fingerprint: string;
    }
  /** A request failed; `retryAt` says when the next background attempt is planned, if one is. */
  | {
      readonly type: 'failure';
      readonly at: number;
      readonly code: TokenErrorCode;
      readonly message: string;
      readonly status: number | undefined;
      readonly attempt: number;
      readonly retryAt: number | undefined;
      readonly serverError: ServerError | undefined;
      /** The wait the server asked for (`Retry-After` on a 429 or 503), in ms, when it sent one. */
      readonly retryAfterMs?: number;
    }
  /** A token was turned down: for another identity, already expired, or not usable in time. */
  | {
      readonly type: 'refused';
      readonly at: number;
      readonly origin: TokenOrigin;
      readonly code: TokenErrorCode;
      readonly message: string;
      readonly identity: string | undefined;
    }
  /** The held token reached its expiry with no replacement. */
  | { readonly type: 'expired'; readonly at: number }
  /** With cross-tab sharing: this tab became the refresher or a follower. */
  | { readonly type: 'role'; readonly at: number; readonly role: 'refresher' | 'follower' }
  /** The page woke up (or a timer fired late): the manager re-checked the clock. */
  | { readonly type: 'wake'; readonly at: number }
  /** The browser went offline or came back. */
  | { readonly type: 'network'; readonly at: number; readonly online: boolean }
  /** `stop()` was called; the stream completes after this. */
  | { readonly type: 'stopped'; readonly at: number };

/** The `type` of a {@link TokenEvent}. */
export type TokenEventType = TokenEvent['type'];
