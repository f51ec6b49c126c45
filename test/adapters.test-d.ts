import { Client as ConversationsClient } from '@twilio/conversations';
import { Device } from '@twilio/voice-sdk';
import { Client as ChatClient } from 'twilio-chat';
import { SyncClient } from 'twilio-sync';
import { Supervisor, Worker } from 'twilio-taskrouter';
import { connect, type ConnectOptions, type Room } from 'twilio-video';
import { describe, expectTypeOf, it } from 'vitest';
import {
  attachChat,
  attachConversations,
  attachSync,
  attachTaskRouter,
  attachVoice,
  connectVideo,
  type Detach,
  type TaskRouterWorkerLike,
  type TokenManager,
} from 'twilio-token-lifecycle';

declare const manager: TokenManager;

// The real SDKs' types go in without a cast.
describe('the adapters accept the real Twilio SDK types', () => {
  it('takes Conversations, Chat, Sync clients and a Voice Device', () => {
    expectTypeOf(attachConversations(manager, new ConversationsClient('jwt'))).toEqualTypeOf<Detach>();
    expectTypeOf(attachChat(manager, {} as Awaited<ReturnType<typeof ChatClient.create>>)).toEqualTypeOf<Detach>();
    expectTypeOf(attachSync(manager, new SyncClient('jwt'))).toEqualTypeOf<Detach>();
    expectTypeOf(attachVoice(manager, new Device('jwt'))).toEqualTypeOf<Detach>();
    const oneTab = attachVoice(manager, new Device('jwt'), {
      register: 'one-tab',
      onRegistrationChange: (here) => expectTypeOf(here).toEqualTypeOf<boolean>(),
      onCallElsewhere: (call) => expectTypeOf(call.status).toEqualTypeOf<'ringing' | 'accepted' | 'ended'>(),
    });
    expectTypeOf(oneTab).toEqualTypeOf<Detach>();
  });

  it('takes twilio-video connect and resolves to its Room', () => {
    expectTypeOf(connectVideo(manager, connect, { name: 'standup', audio: true })).resolves.toEqualTypeOf<Room>();
    expectTypeOf(connectVideo(manager, connect)).resolves.toEqualTypeOf<Room>();
    expectTypeOf(connectVideo<Room, ConnectOptions>).parameter(2).toMatchTypeOf<{ minValidityMs?: number } | undefined>();
  });

  it('rejects what is not a client', () => {
    // @ts-expect-error a client needs updateToken and its events
    attachConversations(manager, { on() {} });
    // @ts-expect-error only token events are listened to
    attachVoice(manager, { updateToken() {}, on(_: 'incoming') {}, removeListener() {} });
    // @ts-expect-error one-tab registration needs register(), unregister() and state
    attachVoice(manager, { updateToken() {}, on() {}, removeListener() {} }, { register: 'one-tab' });
    // @ts-expect-error register takes 'one-tab' only
    attachVoice(manager, new Device('jwt'), { register: true });
  });

  it('takes a twilio-taskrouter Worker (and a Supervisor, which is one)', () => {
    expectTypeOf(attachTaskRouter(manager, new Worker('jwt'))).toEqualTypeOf<Detach>();
    expectTypeOf(attachTaskRouter(manager, new Supervisor('jwt'), { identity: 'alice' })).toEqualTypeOf<Detach>();
    expectTypeOf(new Worker('jwt')).toMatchTypeOf<TaskRouterWorkerLike>();
  });

  it('rejects what is not a TaskRouter Worker', () => {
    // @ts-expect-error a Worker needs updateToken
    attachTaskRouter(manager, { on() {}, removeListener() {} });
    // @ts-expect-error updateToken takes the JWT as a string
    attachTaskRouter(manager, { updateToken(_: number) {}, on() {}, removeListener() {} });
    // @ts-expect-error the adapter listens to tokenExpired, disconnected and error, not only to reservations
    attachTaskRouter(manager, { updateToken() {}, on(_: 'reservationCreated') {}, removeListener() {} });
  });
});
