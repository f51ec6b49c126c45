export { parseAccessToken } from './access-token';
export { TokenError, isTokenError } from './errors';
export { createTokenManager } from './token-manager';

export type { AccessToken, AccessTokenClaims, AccessTokenHeader } from './access-token';
export type { TokenErrorCode, TokenErrorOptions } from './errors';
export type {
  AccessTokenGrants,
  ChatGrant,
  SyncGrant,
  TaskRouterGrant,
  VideoGrant,
  VoiceGrant,
} from './grants';
export type { TokenRequestOptions } from './http-token-source';
export type { RetryOptions } from './refresh-policy';
export type { FetchReason, FetchToken, FetchTokenContext } from './token-source';
export type { GetTokenOptions, TokenManager, TokenManagerOptions } from './token-manager';
export type { TokenState, TokenStatus } from './token-state';
