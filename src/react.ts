'use client';
// The entry of 'twilio-token-lifecycle/react'. Rollup drops the directive above from the bundle; its
// config puts it back as a banner (Next.js App Router).
export { TokenManagerProvider } from './react/token-manager-provider';
export { useTokenManager } from './react/context';
export { isSignedOut, useAccessToken, useTokenState } from './react/use-token-state';
export { useTwilioClient } from './react/use-twilio-client';
export { useConversationsClient, useSyncClient, useVideoRoom, useVoiceDevice } from './react/use-sdk-clients';
export { twilsockConnection, videoRoomConnection, voiceDeviceConnection } from './adapters/client-connection';

export type { TokenManagerProviderProps, UserKey } from './react/token-manager-provider';
export type { TokenStore } from './react/use-token-state';
export type { AttachClient, CreateClient, DisposeClient, TwilioClientResult, TwilioClientStatus } from './react/use-twilio-client';
export type {
  ClientConnection,
  TwilsockConnectionState,
  VideoRoomState,
  VideoRoomStateLike,
  VoiceDeviceState,
  VoiceDeviceStateLike,
} from './adapters/client-connection';
export type { ClientConstructor, ClientHookOptions, VoiceDeviceHookOptions, VoiceDeviceResult } from './react/use-sdk-clients';
export type { VoiceRegistrationState } from './react/use-voice-registration';
