import type { TokenManager } from '../token-manager';
import type { AttachOptions, ClientSpec, Detach } from './attach-client';
import { attachTwilsockClient, type TwilsockClientLike } from './twilsock-client';

/** The shape of `twilio-chat`'s (Programmable Chat) `Client` that the adapter uses. */
export type ChatClientLike = TwilsockClientLike;

/**
 * Hands every new token of `manager` to a Programmable Chat `Client` (deprecated by Twilio, still
 * deployed), and turns its `tokenAboutToExpire` and `tokenExpired` events into a refresh;
 * after an expiry, a paced recovery.
 * `Client.create` is async, so pass the JWT it was created with as `createdWith`.
 *
 * Recovery after an expiry (twilsock): see {@link ClientSpec}.
 */
export function attachChat(manager: TokenManager, client: ChatClientLike, options?: AttachOptions): Detach {
  return attachTwilsockClient(manager, client, options);
}
