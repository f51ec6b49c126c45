import type { TwilsockConnectionState, VideoRoomState, VoiceDeviceState } from '../adapters/client-connection';
import { FakeEmitter } from './fake-emitter';

/** How a fake's `updateToken` behaves. */
export type UpdateTokenBehaviour = 'resolve' | 'reject' | 'never' | 'throw';

/**
 * A stand-in for a Conversations, Chat or Sync client: records `updateToken` and emits their events.
 * Like the SDK's client it starts `connecting` and reports each change of `connectionState` with
 * `connectionStateChanged`: it is `connected` a moment (a microtask) after it is made, unless
 * `autoConnect` is false; `setConnectionState()` plays the rest (a dropped socket, a refused token).
 */
export class FakeTokenClient extends FakeEmitter<'tokenAboutToExpire' | 'tokenExpired' | 'connectionStateChanged' | 'connectionError'> {
  /** Every JWT handed to `updateToken`, in order. */
  readonly updateTokenCalls: string[] = [];
  /** What the next `updateToken` calls do. @default 'resolve' */
  updateTokenBehaviour: UpdateTokenBehaviour = 'resolve';

  /** How many times `shutdown()` was called. */
  shutdownCalls = 0;

  /** As the SDK's `client.connectionState`. */
  connectionState: TwilsockConnectionState = 'connecting';

  /**
   * Whether it connects on its own, a microtask after it is made, as the SDK does with a good token.
   * Set it to false (in a subclass, or right after `new`) to drive the state with `setConnectionState`.
   * @default true
   */
  autoConnect = true;

  /** @param token the JWT the client is created with */
  constructor(public token: string) {
    super();
    void Promise.resolve().then(() => {
      if (this.autoConnect && this.connectionState === 'connecting') this.setConnectionState('connected');
    });
  }

  /** Moves to `state` and fires `connectionStateChanged` with it, as the SDK does; nothing if it is there already. */
  setConnectionState(state: TwilsockConnectionState): void {
    if (state === this.connectionState) return;
    this.connectionState = state;
    this.emit('connectionStateChanged', state);
  }

  /** True once `shutdown()` was called, as after the SDK's own shutdown. */
  get isShutDown(): boolean {
    return this.shutdownCalls > 0;
  }

  /**
   * Ends the client, as the SDK's `shutdown()` does: `disconnecting`, then `disconnected`.
   * `updateTokenCalls` shows any token handed after it.
   */
  shutdown(): Promise<void> {
    this.shutdownCalls += 1;
    if (this.connectionState !== 'disconnected') this.setConnectionState('disconnecting');
    this.setConnectionState('disconnected');
    return Promise.resolve();
  }

  updateToken(token: string): Promise<this> {
    this.updateTokenCalls.push(token);
    switch (this.updateTokenBehaviour) {
      case 'throw':
        throw new TypeError('updateToken failed (fake)');
      case 'reject':
        return Promise.reject(new Error('Access token rejected (fake)'));
      case 'never':
        return new Promise(() => undefined); // as Conversations' does while offline
      default:
        this.token = token;
        return Promise.resolve(this);
    }
  }
}

/** A stand-in for `@twilio/conversations`' `Client`. */
export class FakeConversationsClient extends FakeTokenClient {}
/** A stand-in for `twilio-chat`'s `Client`. */
export class FakeChatClient extends FakeTokenClient {}
/** A stand-in for `twilio-sync`'s `SyncClient`. */
export class FakeSyncClient extends FakeTokenClient {}

/**
 * A stand-in for `@twilio/voice-sdk`'s `Device`: synchronous `updateToken`, `tokenWillExpire(device)`,
 * and its `state` with the event of each change (`registering`, `registered`, `unregistered`,
 * `destroyed`), as the SDK fires them.
 */
export class FakeVoiceDevice extends FakeEmitter<'tokenWillExpire' | VoiceDeviceState | 'error'> {
  readonly updateTokenCalls: string[] = [];
  /** What the next `updateToken` calls do: `throw` plays a destroyed Device. @default 'resolve' */
  updateTokenBehaviour: Exclude<UpdateTokenBehaviour, 'reject' | 'never'> = 'resolve';
  #token: string | null;

  constructor(token: string) {
    super();
    this.#token = token;
  }

  get token(): string | null {
    return this.#token;
  }

  /** How many times `register()` was called. */
  registerCalls = 0;
  /** How many times `destroy()` was called; the first one destroys the device. */
  destroyCalls = 0;
  /** What the next `register()` calls do. @default 'resolve' */
  registerBehaviour: 'resolve' | 'reject' = 'resolve';
  /** As the SDK's `device.state`. */
  state: VoiceDeviceState = 'unregistered';

  /** Moves to `state` and fires the event of that name, as the SDK does; nothing if it is there already. */
  setState(state: VoiceDeviceState): void {
    if (state === this.state) return;
    this.state = state;
    this.emit(state);
  }

  updateToken(token: string): void {
    this.updateTokenCalls.push(token);
    if (this.updateTokenBehaviour === 'throw' || this.state === 'destroyed') {
      throw new Error('InvalidStateError: Device has been destroyed (fake)');
    }
    this.#token = token;
  }

  /**
   * Registers for incoming calls, as the SDK's `register()`: `registering` at once, then `registered`
   * (or, with `registerBehaviour` 'reject', `unregistered` again and a rejection); rejects once destroyed.
   */
  async register(): Promise<void> {
    this.registerCalls += 1;
    if (this.state === 'destroyed') throw new Error('InvalidStateError: Device has been destroyed (fake)');
    this.setState('registering');
    await Promise.resolve(); // the server's answer
    if (this.state !== 'registering') return; // destroyed meanwhile
    if (this.registerBehaviour === 'reject') {
      this.setState('unregistered');
      throw new Error('Registration failed (fake)');
    }
    this.setState('registered');
  }

  /** Ends the registration, as the SDK's `unregister()`: `unregistered`. */
  unregister(): Promise<void> {
    if (this.state !== 'destroyed') this.setState('unregistered');
    return Promise.resolve();
  }

  /** Ends the device, as the SDK's `destroy()`: fires `destroyed`, and `updateToken` throws afterwards. */
  destroy(): void {
    this.destroyCalls += 1;
    this.setState('destroyed');
  }

  /** Fires `tokenWillExpire` with the device, as the SDK does. */
  warnTokenWillExpire(): void {
    this.emit('tokenWillExpire', this);
  }
}

/**
 * A stand-in for twilio-video's `Room`: `disconnect()` ends it and fires `disconnected`, as the SDK does;
 * `setState()` plays a network drop (`reconnecting`, then `reconnected` or `disconnected`).
 */
export class FakeVideoRoom extends FakeEmitter<'disconnected' | 'reconnecting' | 'reconnected'> {
  /** As the SDK's `room.state`. */
  state: VideoRoomState = 'connected';
  /** How many times `disconnect()` was called. */
  disconnectCalls = 0;

  /**
   * @param token the JWT the room was joined with
   * @param options the options `connect` was called with
   */
  constructor(
    readonly token: string,
    readonly options?: Readonly<Record<string, unknown>>,
  ) {
    super();
  }

  /** Leaves the room: `disconnected` fires once, with the room. */
  disconnect(): this {
    this.disconnectCalls += 1;
    this.setState('disconnected');
    return this;
  }

  /**
   * Moves to `state` and fires its event as the SDK does: `reconnecting` (with `error`), `reconnected`
   * (back to `connected`), `disconnected` (with the room and `error`; for good). Nothing once disconnected.
   */
  setState(state: VideoRoomState, error?: Error): void {
    if (state === this.state || this.state === 'disconnected') return;
    this.state = state;
    if (state === 'reconnecting') this.emit('reconnecting', error);
    else if (state === 'connected') this.emit('reconnected');
    else this.emit('disconnected', this, error);
  }
}

/** twilio-video's `connect`, faked: it resolves to a {@link FakeVideoRoom} and records every call. */
export interface FakeVideoConnect {
  (token: string, options?: Readonly<Record<string, unknown>>): Promise<FakeVideoRoom>;
  /** Each room it made, in order. */
  readonly rooms: FakeVideoRoom[];
  /** The JWT of every call, in order (a call that fails is recorded too). */
  readonly calls: string[];
  /** The next call rejects with `error` (e.g. `{ code: 20104 }`, as Twilio's expired-token error). */
  failNext(error: unknown): void;
}

/**
 * A fake of twilio-video's `connect(token, options)`, for `connectVideo` and the
 * `useVideoRoom` hook.
 *
 * @example
 * const connect = fakeVideoConnect();
 * const room = await connectVideo(manager, connect, { name: 'standup' });
 * expect(connect.rooms).toEqual([room]);
 */
export function fakeVideoConnect(): FakeVideoConnect {
  const failures: unknown[] = [];
  const rooms: FakeVideoRoom[] = [];
  const calls: string[] = [];
  const connect = (token: string, options?: Readonly<Record<string, unknown>>): Promise<FakeVideoRoom> => {
    calls.push(token);
    if (failures.length > 0) return Promise.reject(failures.shift());
    const room = new FakeVideoRoom(token, options);
    rooms.push(room);
    return Promise.resolve(room);
  };
  return Object.assign(connect, { rooms, calls, failNext: (error: unknown) => void failures.push(error) });
}
