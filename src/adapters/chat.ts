import type { TokenManager } from '../token-manager';
import { attachClient, type AttachOptions, type Detach, type TokenClient } from './attach-client';

/** The shape of `twilio-chat`'s (Programmable Chat) `Client` that the adapter uses. */
export type ChatClientLike = TokenClient<
  'tokenAboutToExpire' | 'tokenExpired' | 'connectionStateChanged' | 'connectionError'
>;

/**
 * Hands every new token of `manager` to a Programmable Chat `Client` (deprecated by Twilio, still
 * deployed), and turns its `tokenAboutToExpire` and `tokenExpired` events into (at most one) refresh.
 * `Client.create` is async, so pass the JWT it was created with as `createdWith`.
 *
 * Recovery (twilsock): no token is handed while the client is disconnecting (twilsock would drop it).
 * After an expiry (a 410 close, or a token refused with 20104) the adapter hands a new token, never the
 * one refused, once the client can take it, and again after 1, 2, 4 … 30 s until the client reports
 * `connected`; each refusal is reported as `token-rejected` (the SDK's code in `serverError.code`).
 */
export function attachChat(manager: TokenManager, client: ChatClientLike, options?: AttachOptions): Detach {
  return attachClient(manager, client, {
    ...options,
    hints: ['tokenAboutToExpire'],
    expired: ['tokenExpired'],
    connectionState: 'connectionStateChanged',
    connectionError: 'connectionError',
  });
}
