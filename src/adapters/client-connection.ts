import { listen, type Listener } from './attach-client';
import type { TwilsockClientLike, TwilsockEvent } from './twilsock-client';

/**
 * A twilsock client's `connectionState` (Conversations, Chat, Sync), as the SDK reports it:
 * - `unknown`: just made, not yet connecting;
 * - `connecting`: opening its socket or logging in, including every retry after a socket error
 *   (twilsock may say `retrying` or `error` then);
 * - `connected`: logged in with a valid token, the only state in which it sends and receives;
 * - `disconnecting`, `disconnected`: closing or closed (after `shutdown()`, or a 410 "token expired");
 * - `denied`: its token was refused; it waits for a new one.
 */
export type TwilsockConnectionState =
  | 'unknown'
  | 'connecting'
  | 'retrying'
  | 'error'
  | 'connected'
  | 'disconnecting'
  | 'disconnected'
  | 'denied';

/**
 * A Voice `Device`'s `state`: its registration for incoming calls. `unregistered` until `register()`
 * (it can still place calls), `registering`, `registered` (incoming calls arrive), `destroyed`.
 */
export type VoiceDeviceState = 'unregistered' | 'registering' | 'registered' | 'destroyed';

/** A Video `Room`'s `state`: `connected`, `reconnecting` (media or signaling lost for now), `disconnected` (for good). */
export type VideoRoomState = 'connected' | 'reconnecting' | 'disconnected';

/**
 * How a client hook follows a client's connection: its state now, and a call on each change. The
 * hooks of this package use {@link twilsockConnection}, {@link voiceDeviceConnection} and
 * {@link videoRoomConnection}; give `useTwilioClient` one for any other client.
 */
export interface ClientConnection<Client, State> {
  /** The client's connection state now. */
  read(client: Client): State;
  /** Calls `onChange` after each change of state (`read` then says which); returns how to stop. */
  subscribe(client: Client, onChange: () => void): () => void;
}

type Emitter<Event extends string> = {
  on(event: Event, listener: Listener): unknown;
  removeListener(event: Event, listener: Listener): unknown;
};

/** A connection read by `read` and changed by any of `events`. */
const connectionOf = <Event extends string, Client extends Emitter<Event>, State>(
  events: readonly Event[],
  read: (client: Client) => State,
): ClientConnection<Client, State> => ({
  read,
  subscribe: (client, onChange) => listen(client, events, onChange),
});

/** A Conversations, Chat or Sync client's `connectionState`, changed by its `connectionStateChanged`. */
export const twilsockConnection: ClientConnection<TwilsockClientLike, TwilsockConnectionState> = /* @__PURE__ */ connectionOf(
  ['connectionStateChanged' satisfies TwilsockEvent],
  (client) => client.connectionState as TwilsockConnectionState,
);

/** The part of a Voice `Device` its connection is read from. */
export type VoiceDeviceStateLike = Emitter<VoiceDeviceState> & { readonly state: string };

/** A Voice `Device`'s `state`, changed by the event of each state's name. */
export const voiceDeviceConnection: ClientConnection<VoiceDeviceStateLike, VoiceDeviceState> = /* @__PURE__ */ connectionOf(
  ['registering', 'registered', 'unregistered', 'destroyed'],
  (device) => device.state as VoiceDeviceState,
);

/** The part of a Video `Room` its connection is read from. */
export type VideoRoomStateLike = Emitter<'reconnecting' | 'reconnected' | 'disconnected'> & { readonly state: string };

/** A Video `Room`'s `state`, changed by `reconnecting`, `reconnected` and `disconnected`. */
export const videoRoomConnection: ClientConnection<VideoRoomStateLike, VideoRoomState> = /* @__PURE__ */ connectionOf(
  ['reconnecting', 'reconnected', 'disconnected'],
  (room) => room.state as VideoRoomState,
);
