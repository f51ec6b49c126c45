import type { CrossTabChannelFactory } from './channel';
import type { LockManagerLike } from './election';

/** Options of the `crossTab` setting. */
export interface CrossTabOptions {
  /** Scopes the sharing: only tabs with the same key (and endpoint) share tokens, e.g. a user id. */
  key?: string;
  /**
   * The identity this tab's manager is bound to, when the `identity` option is not given: it then takes
   * other tabs' tokens from the start, and only for this identity.
   */
  identity?: string;
  /** The bus between tabs. @default BroadcastChannel */
  channel?: CrossTabChannelFactory;
  /** The lock manager that elects the refresher; `null` uses a lease over the channel. @default navigator.locks */
  locks?: LockManagerLike | null;
  /** How long a new tab waits for the others' token before fetching its own. @default 150 */
  peerWaitMs?: number;
}

/** A `crossTab` setting that is on, with what the cross-tab code needs to start. */
export interface CrossTabSetup {
  options: CrossTabOptions;
  url: string | URL | undefined;
}
