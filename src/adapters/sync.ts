import type { TokenManager } from '../token-manager';
import type { AttachOptions, ClientSpec, Detach } from './attach-client';
import { attachTwilsockClient, type TwilsockClientLike } from './twilsock-client';

/** The shape of `twilio-sync`'s `SyncClient` that the adapter uses. */
export type SyncClientLike = TwilsockClientLike;

/**
 * Hands every new token of `manager` to a `SyncClient`, and turns its `tokenAboutToExpire` and
 * `tokenExpired` events into a refresh;
 * after an expiry, a paced recovery.
 *
 * Recovery after an expiry (twilsock): see {@link ClientSpec}.
 */
export function attachSync(manager: TokenManager, client: SyncClientLike, options?: AttachOptions): Detach {
  return attachTwilsockClient(manager, client, options);
}
