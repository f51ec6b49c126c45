import type { AccessToken } from '../access-token';
import type { TokenError } from '../errors';
import type { TokenEvent } from '../token-events';
import type { Now } from './clock';
import type { FetchReason, SharedToken } from './state';

/** How a waiting `getToken()` or `refresh()` is answered. */
export type Answer = { readonly token: AccessToken } | { readonly error: TokenError };

/**
 * What a transition asks of the world. The lifecycle decides every one of them; the runtime only
 * carries them out, in order.
 */
export type Effect =
  /** Send request `id`, saying why. */
  | { readonly type: 'send'; readonly id: number; readonly reason: FetchReason }
  /** Give up on request `id` (timed out, stopped, abandoned in a sleep): abort its transport with `error`. */
  | { readonly type: 'abort'; readonly id: number; readonly error: TokenError }
  /** Answer the caller waiting as demand `id`. */
  | { readonly type: 'settle'; readonly id: number; readonly answer: Answer }
  /** Pass this tab's new token to the other tabs. */
  | { readonly type: 'share'; readonly token: SharedToken }
  /** This tab's own requests were refused for good, or work again: the refresher role may move. */
  | { readonly type: 'refreshable' }
  /** Tell `events$` and `onEvent`. */
  | { readonly type: 'emit'; readonly event: TokenEvent }
  /** Check again after `inMs` counted from `from` (`undefined`: nothing to wait for; cancel the timer). */
  | { readonly type: 'wake-at'; readonly inMs: number | undefined; readonly from: Now };
