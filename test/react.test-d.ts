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
  type TwilioClientResult,
  type TwilioClientStatus,
  type VoiceDeviceResult,
} from 'twilio-token-lifecycle/react';
import { FakeConversationsClient, FakeSyncClient, FakeVoiceDevice, fakeVideoConnect, type FakeVideoRoom } from 'twilio-token-lifecycle/testing';

declare const manager: TokenManager;

// The hooks take the real SDKs' classes and factories without a cast, and type the client from them.
describe('the React hooks accept the real Twilio SDK types', () => {
  it('types each client from the SDK given', () => {
    expectTypeOf(useConversationsClient(ConversationsClient)).toEqualTypeOf<TwilioClientResult<ConversationsClient>>();
    expectTypeOf(useSyncClient(SyncClient)).toEqualTypeOf<TwilioClientResult<SyncClient>>();
    expectTypeOf(useVoiceDevice(Device)).toEqualTypeOf<VoiceDeviceResult<Device>>();
    expectTypeOf(useVoiceDevice(Device)).toMatchTypeOf<TwilioClientResult<Device>>();
    expectTypeOf(useVideoRoom(connect, { name: 'standup' })).toEqualTypeOf<TwilioClientResult<Room>>();
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
});
