import { Client as ConversationsClient } from '@twilio/conversations';
import { Client as ChatClient } from 'twilio-chat';
import { Device } from '@twilio/voice-sdk';
import { SyncClient } from 'twilio-sync';
import { connect, type Room } from 'twilio-video';
import { describe, expectTypeOf, it } from 'vitest';
import { attachChat, type TokenManager, type TokenState } from 'twilio-token-lifecycle';
import {
  isSignedOut,
  useConversationsClient,
  useSyncClient,
  useTokenManager,
  useTokenState,
  useTwilioClient,
  useVideoRoom,
  useVoiceDevice,
  twilsockConnection,
  type ClientConnection,
  type TwilioClientResult,
  type TwilioClientStatus,
  type TwilsockConnectionState,
  type VideoRoomState,
  type VoiceDeviceState,
  type VoiceDeviceResult,
} from 'twilio-token-lifecycle/react';
import { FakeConversationsClient, FakeSyncClient, FakeVoiceDevice, fakeVideoConnect, type FakeVideoRoom } from 'twilio-token-lifecycle/testing';

declare const manager: TokenManager;

// The hooks take the real SDKs' classes and factories without a cast, and type the client from them.
describe('the React hooks accept the real Twilio SDK types', () => {
  it('types each client from the SDK given', () => {
    expectTypeOf(useConversationsClient(ConversationsClient)).toEqualTypeOf<TwilioClientResult<ConversationsClient, TwilsockConnectionState>>();
    expectTypeOf(useSyncClient(SyncClient)).toEqualTypeOf<TwilioClientResult<SyncClient, TwilsockConnectionState>>();
    expectTypeOf(useVoiceDevice(Device)).toEqualTypeOf<VoiceDeviceResult<Device>>();
    expectTypeOf(useVoiceDevice(Device)).toMatchTypeOf<TwilioClientResult<Device, VoiceDeviceState>>();
    expectTypeOf(useVideoRoom(connect, { name: 'standup' })).toEqualTypeOf<TwilioClientResult<Room, VideoRoomState>>();
  });

  it('types connectionState from the SDK: set while ready, undefined otherwise', () => {
    const conversations = useConversationsClient(ConversationsClient);
    if (conversations.status === 'ready') expectTypeOf(conversations.connectionState).toEqualTypeOf<TwilsockConnectionState>();
    else expectTypeOf(conversations.connectionState).toEqualTypeOf<undefined>();
    // Every state the real SDKs declare is one of the hook's.
    expectTypeOf<ConversationsClient['connectionState']>().toExtend<TwilsockConnectionState>();
    expectTypeOf<SyncClient['connectionState']>().toExtend<TwilsockConnectionState>();
    expectTypeOf<`${Device.State}`>().toEqualTypeOf<VoiceDeviceState>();
    const device = useVoiceDevice(Device);
    if (device.status === 'ready') expectTypeOf(device.connectionState).toEqualTypeOf<VoiceDeviceState>();
    const room = useVideoRoom(connect, { name: 'standup' });
    if (room.status === 'ready') expectTypeOf(room.connectionState).toEqualTypeOf<VideoRoomState>();
    // A result with a known state is still a TwilioClientResult<Client>, as code written before it expects.
    expectTypeOf(conversations).toExtend<TwilioClientResult<ConversationsClient>>();
  });

  it('takes the SDK options, plus onError and register', () => {
    useConversationsClient(ConversationsClient, { logLevel: 'warn', onError: (error) => error.code });
    useSyncClient(SyncClient, { logLevel: 'warn' });
    useVoiceDevice(Device, { register: true, closeProtection: true, tokenRefreshMs: 30_000 });
    const { registeredHere, callsElsewhere } = useVoiceDevice(Device, { register: 'one-tab', onCallElsewhere: (call) => call.status });
    expectTypeOf(registeredHere).toEqualTypeOf<boolean>();
    expectTypeOf(callsElsewhere[0]!.status).toEqualTypeOf<'ringing' | 'accepted' | 'ended'>();
    useVideoRoom(connect, { name: 'standup', audio: true, minValidityMs: 120_000 });
    // @ts-expect-error not an option of Conversations' Client
    useConversationsClient(ConversationsClient, { nonsense: 1 });
    // @ts-expect-error not an option of the Voice Device
    useVoiceDevice(Device, { registr: true });
  });

  it('takes the test kit fakes', () => {
    expectTypeOf(useConversationsClient(FakeConversationsClient).client).toEqualTypeOf<FakeConversationsClient | undefined>();
    expectTypeOf(useSyncClient(FakeSyncClient).client).toEqualTypeOf<FakeSyncClient | undefined>();
    expectTypeOf(useVoiceDevice(FakeVoiceDevice, { register: true }).client).toEqualTypeOf<FakeVoiceDevice | undefined>();
    expectTypeOf(useVideoRoom(fakeVideoConnect(), { name: 'standup' }).client).toEqualTypeOf<FakeVideoRoom | undefined>();
  });

  it('refuses what cannot be disposed of', () => {
    class NoShutdown {
      constructor(readonly token: string) {}
      updateToken() {}
      on() {}
      removeListener() {}
    }
    // @ts-expect-error a Conversations client needs shutdown()
    useConversationsClient(NoShutdown);
    // @ts-expect-error a Voice device needs destroy()
    useVoiceDevice(NoShutdown);
  });
});

describe('the context hooks', () => {
  it('read the provider, or the manager given', () => {
    expectTypeOf(useTokenManager()).toEqualTypeOf<TokenManager | null>();
    expectTypeOf(useTokenState()).toEqualTypeOf<TokenState>();
    expectTypeOf(useTokenState(manager)).toEqualTypeOf<TokenState>();
    expectTypeOf(useTokenState(null)).toEqualTypeOf<TokenState>();
    expectTypeOf(isSignedOut).returns.toEqualTypeOf<boolean>();
  });

  it('types the generic hook from create', () => {
    const result = useTwilioClient(
      async (token) => ({ jwt: token.jwt, close: () => undefined }),
      () => undefined,
      (client) => client.close(),
    );
    expectTypeOf(result.client).toEqualTypeOf<{ jwt: string; close: () => undefined } | undefined>();
    expectTypeOf(result.status).toEqualTypeOf<TwilioClientStatus>();
    expectTypeOf(result.error).toEqualTypeOf<Error | undefined>();
  });

  it('narrows on status: client while ready, error while error', () => {
    const result = useConversationsClient(ConversationsClient);
    if (result.status === 'ready') expectTypeOf(result.client).toEqualTypeOf<ConversationsClient>();
    if (result.status === 'error') expectTypeOf(result.error).toEqualTypeOf<Error>();
    if (result.status === 'connecting') expectTypeOf(result.client).toEqualTypeOf<undefined>();
  });

  it('takes the README’s Programmable Chat example as written', () => {
    const chat = useTwilioClient(
      (token) => ChatClient.create(token.jwt),
      (manager, client, token) => attachChat(manager, client, { createdWith: token.jwt }),
      (client) => client.shutdown(),
    );
    expectTypeOf(chat.client).toEqualTypeOf<ChatClient | undefined>();
  });

  it('follows a connection given to useTwilioClient, typed by it', () => {
    const chat = useTwilioClient(
      (token) => ChatClient.create(token.jwt),
      (manager, client, token) => attachChat(manager, client, { createdWith: token.jwt }),
      (client) => client.shutdown(),
      twilsockConnection,
    );
    expectTypeOf(chat.client).toEqualTypeOf<ChatClient | undefined>();
    if (chat.status === 'ready') expectTypeOf(chat.connectionState).toEqualTypeOf<TwilsockConnectionState>();
    // Without one, there is no state to tell.
    const plain = useTwilioClient(async () => ({ close: () => undefined }), () => undefined, (client) => client.close());
    if (plain.status === 'ready') expectTypeOf(plain.connectionState).toEqualTypeOf<undefined>();
    // Your own: any client, any state type.
    const player = { isLive: true, on: (_event: 'live', _listener: () => void) => undefined };
    const live: ClientConnection<typeof player, 'live' | 'off'> = {
      read: (client) => (client.isLive ? 'live' : 'off'),
      subscribe: (client, onChange) => (client.on('live', onChange), () => undefined),
    };
    const result = useTwilioClient(() => player, () => undefined, () => undefined, live);
    if (result.status === 'ready') expectTypeOf(result.connectionState).toEqualTypeOf<'live' | 'off'>();
    // @ts-expect-error a connection reads the client the hook makes, not another
    useTwilioClient(() => player, () => undefined, () => undefined, twilsockConnection);
  });
});
