import { FakeEmitter } from './fake-emitter';

/** How a fake's `updateToken` behaves. */
export type UpdateTokenBehaviour = 'resolve' | 'reject' | 'never' | 'throw';

/** A stand-in for a Conversations, Chat or Sync client: records `updateToken` and emits their events. */
export class FakeTokenClient extends FakeEmitter<'tokenAboutToExpire' | 'tokenExpired'> {
  /** Every JWT handed to `updateToken`, in order. */
  readonly updateTokenCalls: string[] = [];
  /** What the next `updateToken` calls do. @default 'resolve' */
  updateTokenBehaviour: UpdateTokenBehaviour = 'resolve';

  /** How many times `shutdown()` was called. */
  shutdownCalls = 0;

  /** @param token the JWT the client is created with */
  constructor(public token: string) {
    super();
  }

  /** True once `shutdown()` was called, as after the SDK's own shutdown. */
  get isShutDown(): boolean {
    return this.shutdownCalls > 0;
  }

  /** Ends the client, as the SDK's `shutdown()` does. `updateTokenCalls` shows any token handed after it. */
  shutdown(): Promise<void> {
    this.shutdownCalls += 1;
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

/** A stand-in for `@twilio/voice-sdk`'s `Device`: synchronous `updateToken`, `tokenWillExpire(device)`. */
export class FakeVoiceDevice extends FakeEmitter<'tokenWillExpire' | 'destroyed'> {
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
  state: 'unregistered' | 'registering' | 'registered' | 'destroyed' = 'unregistered';

  updateToken(token: string): void {
    this.updateTokenCalls.push(token);
    if (this.updateTokenBehaviour === 'throw' || this.state === 'destroyed') {
      throw new Error('InvalidStateError: Device has been destroyed (fake)');
    }
    this.#token = token;
  }

  /** Registers for incoming calls, as the SDK's `register()`; rejects once destroyed. */
  register(): Promise<void> {
    this.registerCalls += 1;
    if (this.state === 'destroyed') return Promise.reject(new Error('InvalidStateError: Device has been destroyed (fake)'));
    if (this.registerBehaviour === 'reject') return Promise.reject(new Error('Registration failed (fake)'));
    this.state = 'registered';
    return Promise.resolve();
  }

  /** Ends the device, as the SDK's `destroy()`: fires `destroyed`, and `updateToken` throws afterwards. */
  destroy(): void {
    this.destroyCalls += 1;
    if (this.state === 'destroyed') return;
    this.state = 'destroyed';
    this.emit('destroyed');
  }

  /** Fires `tokenWillExpire` with the device, as the SDK does. */
  warnTokenWillExpire(): void {
    this.emit('tokenWillExpire', this);
  }
}

/** A stand-in for twilio-video's `Room`: `disconnect()` ends it and fires `disconnected`, as the SDK does. */
export class FakeVideoRoom extends FakeEmitter<'disconnected' | 'reconnecting' | 'reconnected'> {
  /** As the SDK's `room.state`. */
  state: 'connected' | 'disconnected' = 'connected';
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
    if (this.state === 'connected') {
      this.state = 'disconnected';
      this.emit('disconnected', this);
    }
    return this;
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
