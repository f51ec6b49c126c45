import type { TokenManager } from '../token-manager';
import { attachClient, type AttachOptions, type Detach, type TokenClient } from './attach-client';

/** The shape of `twilio-sync`'s `SyncClient` that the adapter uses. */
export type SyncClientLike = TokenClient<'tokenAboutToExpire' | 'tokenExpired'>;

/**
 * Hands every new token of `manager` to a `SyncClient`, and turns its `tokenAboutToExpire` and
 * `tokenExpired` events into (at most one) refresh.
 */
export function attachSync(manager: TokenManager, client: SyncClientLike, options?: AttachOptions): Detach {
  return attachClient(manager, client, { ...options, hints: ['tokenAboutToExpire'], expired: ['tokenExpired'] });
}
