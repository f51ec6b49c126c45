import type { TokenManager } from '../token-manager';
import { attachClient, type AttachOptions, type ClientSpec, type Detach, type TokenClient } from './attach-client';

/** The shape of `twilio-sync`'s `SyncClient` that the adapter uses. */
export type SyncClientLike = TokenClient<
  'tokenAboutToExpire' | 'tokenExpired' | 'connectionStateChanged' | 'connectionError'
> & { readonly connectionState?: string };

/**
 * Hands every new token of `manager` to a `SyncClient`, and turns its `tokenAboutToExpire` and
 * `tokenExpired` events into (at most one) refresh.
 *
 * Recovery after an expiry (twilsock): see {@link ClientSpec}.
 */
export function attachSync(manager: TokenManager, client: SyncClientLike, options?: AttachOptions): Detach {
  return attachClient(manager, client, {
    ...options,
    hints: ['tokenAboutToExpire'],
    expired: ['tokenExpired'],
    connectionState: 'connectionStateChanged',
    connectionError: 'connectionError',
    currentState: () => client.connectionState,
  });
}
