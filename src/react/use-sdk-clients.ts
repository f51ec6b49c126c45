import type { AttachOptions } from '../adapters/attach-client';
import {
  twilsockConnection,
  videoRoomConnection,
  voiceDeviceConnection,
  type TwilsockConnectionState,
  type VideoRoomState,
  type VideoRoomStateLike,
  type VoiceDeviceState,
  type VoiceDeviceStateLike,
} from '../adapters/client-connection';
import { attachConversations, type ConversationsClientLike } from '../adapters/conversations';
import { attachSync, type SyncClientLike } from '../adapters/sync';
import { connectVideo, type ConnectVideoOptions } from '../adapters/video';
import { attachVoice, type AttachVoiceOptions, type RegistrableVoiceDevice, type VoiceDeviceLike } from '../adapters/voice';
import { useTwilioClient, type TwilioClientResult } from './use-twilio-client';
import { useVoiceRegistration, type VoiceRegistrationState } from './use-voice-registration';
import { useMemo } from 'react';

/** An SDK client class: `new Client(jwt, options?)`. */
export type ClientConstructor<Client, Options> = new (token: string, options?: Options) => Client;

/** Options of the client hooks: the SDK's own options, plus what the adapter is told. */
export type ClientHookOptions<Options> = NonNullable<Options> & Pick<AttachOptions, 'onError'>;

/**
 * Creates `new Client(jwt, options)` for the SDKs whose clients are made that way, without the hook's
 * own keys; `new Client(jwt)` when no options were given (Conversations refuses `null`).
 */
const construct =
  <Client, Options>(Client: ClientConstructor<Client, Options>, options: object | undefined, own: readonly string[] = ['onError']) =>
  ({ jwt }: { jwt: string }) => {
    if (options === undefined) return new Client(jwt);
    const rest: Record<string, unknown> = { ...options };
    for (const key of own) delete rest[key];
    return new Client(jwt, rest as Options);
  };

/**
 * A Conversations `Client` for the {@link TokenManagerProvider}'s user, created once a token is there,
 * fed every new token (`attachConversations`) and shut down on unmount or a change of user.
 * `options` go to `new Client(jwt, options)` (and `onError` to the adapter), read when it is created.
 * `connectionState` is the client's own (`connected` only while it is logged in).
 *
 * @example
 * import { Client } from '@twilio/conversations';
 * const { client, status, error, connectionState } = useConversationsClient(Client);
 */
export function useConversationsClient<Client extends ConversationsClientLike & { shutdown(): unknown }, Options = undefined>(
  Client: ClientConstructor<Client, Options>,
  options?: ClientHookOptions<Options>,
): TwilioClientResult<Client, TwilsockConnectionState> {
  return useTwilioClient(
    construct(Client, options),
    (manager, client, token) => attachConversations(manager, client, { createdWith: token.jwt, onError: options?.onError }),
    (client) => client.shutdown(),
    twilsockConnection,
  );
}

/**
 * A `SyncClient` for the {@link TokenManagerProvider}'s user, created once a token is there, fed every
 * new token (`attachSync`) and shut down on unmount or a change of user. `connectionState` is the
 * client's own (`connected` only while it is logged in).
 */
export function useSyncClient<Client extends SyncClientLike & { shutdown(): unknown }, Options = undefined>(
  SyncClient: ClientConstructor<Client, Options>,
  options?: ClientHookOptions<Options>,
): TwilioClientResult<Client, TwilsockConnectionState> {
  return useTwilioClient(
    construct(SyncClient, options),
    (manager, client, token) => attachSync(manager, client, { createdWith: token.jwt, onError: options?.onError }),
    (client) => client.shutdown(),
    twilsockConnection,
  );
}

/** Options of {@link useVoiceDevice}: the `Device`'s options, `onError`, and `register`. */
export type VoiceDeviceHookOptions<Options> = ClientHookOptions<Options> & {
  /**
   * `true`: call `device.register()` (to receive calls) before `status` turns `ready`; a failed
   * registration is status `error`, and the device is destroyed. `'one-tab'`: one tab per browser
   * registers (`attachVoice`'s `register: 'one-tab'`); see `registeredHere` and `callsElsewhere`.
   * @default false
   */
  register?: boolean | 'one-tab';
} & Pick<AttachVoiceOptions, 'onRegistrationChange' | 'onCallElsewhere' | 'oneTab'>;

/** What {@link useVoiceDevice} returns: the client result, plus the one-tab registration's state. */
export type VoiceDeviceResult<Device> = TwilioClientResult<Device, VoiceDeviceState> & VoiceRegistrationState;

/**
 * A Voice `Device` for the {@link TokenManagerProvider}'s user, created once a token is there, fed every
 * new token (`attachVoice`), registered if `register: true` (or in one tab of the browser with
 * `register: 'one-tab'`: `registeredHere` says whether it is this one, `callsElsewhere` what rings in the
 * other), and destroyed on unmount or a change of user. `connectionState` is the Device's `state`
 * (`registered` while incoming calls can arrive).
 *
 * @example
 * import { Device } from '@twilio/voice-sdk';
 * const { client: device, status } = useVoiceDevice(Device, { register: true, closeProtection: true });
 */
export function useVoiceDevice<
  Device extends VoiceDeviceLike & VoiceDeviceStateLike & { destroy(): unknown; register(): PromiseLike<unknown> | unknown },
  Options = undefined,
>(Device: ClientConstructor<Device, Options>, options?: VoiceDeviceHookOptions<Options>): VoiceDeviceResult<Device> {
  const make = construct(Device, options, ['onError', 'register', 'onRegistrationChange', 'onCallElsewhere', 'oneTab']);
  const registration = useVoiceRegistration(options?.register === 'one-tab' ? (options as AttachVoiceOptions) : undefined);
  const result = useTwilioClient(
    async (token) => {
      const device = make(token);
      if (options?.register === true) {
        try {
          await device.register();
        } catch (error) {
          device.destroy();
          throw error;
        }
      }
      return device;
    },
    (manager, device, token) => {
      registration.reset();
      const detach = attachVoice(manager, device as unknown as RegistrableVoiceDevice, { createdWith: token.jwt, onError: options?.onError, ...registration.attachOptions });
      return () => {
        detach();
        registration.reset();
      };
    },
    (device) => device.destroy(),
    voiceDeviceConnection,
  );
  // Keeps its identity until the client result or the registration changes.
  return useMemo(() => ({ ...result, ...registration.state }), [result, registration.state]);
}

/**
 * A twilio-video `Room` for the {@link TokenManagerProvider}'s user: joined with `connectVideo`
 * (a token valid for at least `minValidityMs`, one retry with a new token if Twilio rejects it), and
 * left (`room.disconnect()`) on unmount or a change of user. A connected room needs no new tokens.
 * `options` go to `connect(jwt, options)`, read when joining; to join another room, remount (`key`).
 * `connectionState` is the Room's `state`: `reconnecting` while Twilio restores it, `disconnected` for good.
 *
 * @example
 * import { connect } from 'twilio-video';
 * const { client: room, status } = useVideoRoom(connect, { name: 'standup', audio: true });
 */
export function useVideoRoom<Room extends VideoRoomStateLike & { disconnect(): unknown }, Options = undefined>(
  connect: (token: string, options?: Options) => PromiseLike<Room>,
  options: ConnectVideoOptions<Options>,
): TwilioClientResult<Room, VideoRoomState> {
  return useTwilioClient(
    (_token, manager) => connectVideo(manager, connect, options),
    () => undefined,
    (room) => room.disconnect(),
    videoRoomConnection,
  );
}
