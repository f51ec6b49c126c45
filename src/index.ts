export { parseAccessToken } from './access-token';
export { attachClient } from './adapters/attach-client';
export { attachChat } from './adapters/chat';
export { attachConversations } from './adapters/conversations';
export { attachSync } from './adapters/sync';
export { attachTaskRouter } from './adapters/taskrouter';
export { connectVideo } from './adapters/video';
export { attachVoice } from './adapters/voice';
export { TokenError, isTokenError } from './errors';
export { createTokenManager } from './token-manager';

export type { AccessToken, AccessTokenClaims, AccessTokenHeader } from './access-token';
export type { AttachOptions, ClientSpec, Detach, TokenClient } from './adapters/attach-client';
export type { ChatClientLike } from './adapters/chat';
export type { ConversationsClientLike } from './adapters/conversations';
export type { SyncClientLike } from './adapters/sync';
export type { TaskRouterWorkerLike } from './adapters/taskrouter';
export type { TwilsockClientLike, TwilsockEvent } from './adapters/twilsock-client';
export type { ConnectVideoOptions } from './adapters/video';
export type { AttachVoiceOptions, OneTabOptions, RegistrableVoiceDevice, VoiceCallLike, VoiceDeviceLike } from './adapters/voice';
export type { CallElsewhere, CallElsewhereStatus } from './adapters/voice-registration';
export type { CrossTabChannel, CrossTabChannelFactory, CrossTabMessage, SharedToken } from './cross-tab/channel';
export type { CrossTabOptions } from './cross-tab/cross-tab-options';
export type { LockManagerLike } from './cross-tab/election';
export type { ServerError, TokenErrorCode, TokenErrorOptions } from './errors';
export type {
  AccessTokenGrants,
  ChatGrant,
  SyncGrant,
  TaskRouterGrant,
  VideoGrant,
  VoiceGrant,
} from './grants';
export type { TokenRequestOptions } from './http-token-source';
export type { NetworkSignals, PageEvent, PageSignals } from './page-signals';
export type { RetryOptions } from './refresh-policy';
export type { FetchReason, FetchToken, FetchTokenContext } from './token-source';
export type { GetTokenOptions, TokenManager, TokenManagerOptions, TokenScheduler } from './token-manager';
export type { TokenEvent, TokenEventType, TokenOrigin } from './token-events';
export type { TokenState, TokenStatus } from './token-state';
