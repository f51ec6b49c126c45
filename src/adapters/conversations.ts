import type { TokenManager } from '../token-manager';
import { attachClient, type AttachOptions, type ClientSpec, type Detach, type TokenClient } from './attach-client';

/** The shape of `@twilio/conversations`' `Client` that the adapter uses. */
export type ConversationsClientLike = TokenClient<
  'tokenAboutToExpire' | 'tokenExpired' | 'connectionStateChanged' | 'connectionError'
> & { readonly connectionState?: string };

/**
 * Hands every new token of `manager` to a Conversations `Client`, and turns its `tokenAboutToExpire`
 * and `tokenExpired` events into (at most one) refresh.
 *
 * Recovery after an expiry (twilsock): see {@link ClientSpec}.
 *
 * @example
 * const { jwt } = await manager.getToken();
 * const client = new Client(jwt);
 * const detach = attachConversations(manager, client);
 */
export function attachConversations(manager: TokenManager, client: ConversationsClientLike, options?: AttachOptions): Detach {
  return attachClient(manager, client, {
    ...options,
    hints: ['tokenAboutToExpire'],
    expired: ['tokenExpired'],
    connectionState: 'connectionStateChanged',
    connectionError: 'connectionError',
    currentState: () => client.connectionState,
  });
}
