import type { TokenManager } from '../token-manager';
import { attachClient, type AttachOptions, type Detach, type TokenClient } from './attach-client';

/** The shape of `twilio-sync`'s `SyncClient` that the adapter uses. */
export type SyncClientLike = TokenClient<
  'tokenAboutToExpire' | 'tokenExpired' | 'connectionStateChanged' | 'connectionError'
>;

/**
 * Hands every new token of `manager` to a `SyncClient`, and turns its `tokenAboutToExpire` and
 * `tokenExpired` events into (at most one) refresh.
 *
 * Recovery (twilsock): no token is handed while the client is disconnecting (twilsock would drop it).
 * After an expiry (a 410 close, or a token refused with 20104) the adapter hands a new token, never the
 * one refused, once the client can take it, and again after 1, 2, 4 … 30 s until the client reports
 * `connected`; each refusal is reported as `token-rejected` (the SDK's code in `serverError.code`).
 */
export function attachSync(manager: TokenManager, client: SyncClientLike, options?: AttachOptions): Detach {
  return attachClient(manager, client, {
    ...options,
    hints: ['tokenAboutToExpire'],
    expired: ['tokenExpired'],
    connectionState: 'connectionStateChanged',
    connectionError: 'connectionError',
  });
}
