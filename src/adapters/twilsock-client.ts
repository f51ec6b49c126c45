import { attachClient, type AttachOptions, type Detach, type TokenClient } from './attach-client';
import type { TokenManager } from '../token-manager';

/** The events of a client on Twilio's twilsock socket (Conversations, Chat, Sync). */
export type TwilsockEvent = 'tokenAboutToExpire' | 'tokenExpired' | 'connectionStateChanged' | 'connectionError';

/** The part of a twilsock client (Conversations, Chat, Sync) an adapter uses. */
export type TwilsockClientLike = TokenClient<TwilsockEvent> & { readonly connectionState?: string };

/**
 * The three twilsock SDKs name their token and connection events alike, so one spec serves them all:
 * the warning is a hint, `tokenExpired` an expiry, and recovery follows the connection state.
 */
export function attachTwilsockClient(manager: TokenManager, client: TwilsockClientLike, options?: AttachOptions): Detach {
  return attachClient(manager, client, {
    ...options,
    hints: ['tokenAboutToExpire'],
    expired: ['tokenExpired'],
    connectionState: 'connectionStateChanged',
    connectionError: 'connectionError',
    currentState: () => client.connectionState,
  });
}
