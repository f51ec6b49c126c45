import type { TokenManager } from '../token-manager';
import { attachClient, type AttachOptions, type ClientSpec, type Detach, type TokenClient } from './attach-client';

/** The shape of `twilio-chat`'s (Programmable Chat) `Client` that the adapter uses. */
export type ChatClientLike = TokenClient<
  'tokenAboutToExpire' | 'tokenExpired' | 'connectionStateChanged' | 'connectionError'
> & { readonly connectionState?: string };

/**
 * Hands every new token of `manager` to a Programmable Chat `Client` (deprecated by Twilio, still
 * deployed), and turns its `tokenAboutToExpire` and `tokenExpired` events into (at most one) refresh.
 * `Client.create` is async, so pass the JWT it was created with as `createdWith`.
 *
 * Recovery after an expiry (twilsock): see {@link ClientSpec}.
 */
export function attachChat(manager: TokenManager, client: ChatClientLike, options?: AttachOptions): Detach {
  return attachClient(manager, client, {
    ...options,
    hints: ['tokenAboutToExpire'],
    expired: ['tokenExpired'],
    connectionState: 'connectionStateChanged',
    connectionError: 'connectionError',
    currentState: () => client.connectionState,
  });
}
