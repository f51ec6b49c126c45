import type { TokenManager } from '../token-manager';
import type { AttachOptions, ClientSpec, Detach } from './attach-client';
import { attachTwilsockClient, type TwilsockClientLike } from './twilsock-client';

/** The shape of `@twilio/conversations`' `Client` that the adapter uses. */
export type ConversationsClientLike = TwilsockClientLike;

/**
 * Hands every new token of `manager` to a Conversations `Client`, and turns its `tokenAboutToExpire`
 * and `tokenExpired` events into a refresh;
 * after an expiry, a paced recovery.
 *
 * Recovery after an expiry (twilsock): see {@link ClientSpec}.
 *
 * @example
 * const { jwt } = await manager.getToken();
 * const client = new Client(jwt);
 * const detach = attachConversations(manager, client);
 */
export function attachConversations(manager: TokenManager, client: ConversationsClientLike, options?: AttachOptions): Detach {
  return attachTwilsockClient(manager, client, options);
}
