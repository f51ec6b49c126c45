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

/** A stand-in for `@twilio/voice-sdk`'s `Call`, incoming: `accept`, `reject`, `disconnect` and the caller's cancel. */
export class FakeVoiceCall extends FakeEmitter<'accept' | 'cancel' | 'disconnect' | 'reject'> {
  /** As the SDK's `call.status()`. */
  #status: 'pending' | 'open' | 'closed' = 'pending';

  /** @param parameters Twilio's call parameters, as `call.parameters` */
  constructor(readonly parameters: { CallSid: string; From: string; To: string; [name: string]: string }) {
    super();
  }

  status(): 'pending' | 'open' | 'closed' {
    return this.#status;
  }

  /** Answers it: `accept` fires with the call. */
  accept(): void {
    if (this.#status !== 'pending') return;
    this.#status = 'open';
    this.emit('accept', this);
  }

  /** Declines it: `reject` fires. */
  reject(): void {
    if (this.#status !== 'pending') return;
    this.#status = 'closed';
    this.emit('reject');
  }

  /** Hangs up an answered call (or a ringing one): `disconnect` fires with the call. */
  disconnect(): void {
    if (this.#status === 'closed') return;
    this.#status = 'closed';
    this.emit('disconnect', this);
  }

  /** The caller gives up while it rings (Twilio's `cancel`): `cancel` fires. */
  simulateCancel(): void {
    if (this.#status !== 'pending') return;
    this.#status = 'closed';
    this.emit('cancel');
  }
}

let fakeCallCount = 0;

/**
 * A stand-in for `@twilio/voice-sdk`'s `Device`: synchronous `updateToken`, `tokenWillExpire(device)`,
 * `register()`/`unregister()` with the SDK's states and events, and incoming calls to a registered device.
 */
export class FakeVoiceDevice extends FakeEmitter<'tokenWillExpire' | VoiceDeviceState | 'incoming' | 'error'> {
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
  /** How many times `unregister()` was called. */
  unregisterCalls = 0;
  /** How many times `destroy()` was called; the first one destroys the device. */
  destroyCalls = 0;
  /**
   * What the next `register()` calls do: `never` stays `registering` and never settles (a signaling
   * server that never answers). @default 'resolve'
   */
  registerBehaviour: 'resolve' | 'reject' | 'never' = 'resolve';
  /** As the SDK's `device.state`. */
  state: VoiceDeviceState = 'unregistered';
  /** Incoming calls that have not ended, as the SDK's `device.calls`. */
  readonly calls: FakeVoiceCall[] = [];

  updateToken(token: string): void {
    this.updateTokenCalls.push(token);
    if (this.updateTokenBehaviour === 'throw' || this.state === 'destroyed') {
      throw new Error('InvalidStateError: Device has been destroyed (fake)');
    }
    this.#token = token;
  }

  /**
   * Registers for incoming calls, as the SDK's `register()`: `registering`, then (a microtask later, as
   * the server's `ready`) `registered`. Rejects once destroyed, or when not `unregistered`, as the SDK does.
   */
  async register(): Promise<void> {
    this.registerCalls += 1;
    if (this.state === 'destroyed') throw new Error('InvalidStateError: Device has been destroyed (fake)');
    if (this.state !== 'unregistered') throw new Error(`InvalidStateError: Attempt to register when device is in state "${this.state}" (fake)`);
    this.setState('registering');
    if (this.registerBehaviour === 'never') return new Promise<void>(() => undefined);
    await Promise.resolve();
    // Destroyed or dropped meanwhile: nothing more to say.
    const isStill = () => this.state === ('registering' as string);
    if (this.registerBehaviour === 'reject') {
      if (isStill()) this.setState('unregistered');
      throw new Error('Registration failed (fake)');
    }
    if (isStill()) this.setState('registered');
  }

  /** Unregisters, as the SDK's `unregister()`: rejects unless `registered`; `unregistered` a microtask later. */
  async unregister(): Promise<void> {
    this.unregisterCalls += 1;
    if (this.state !== 'registered') throw new Error(`InvalidStateError: Attempt to unregister when device is in state "${this.state}" (fake)`);
    await Promise.resolve();
    if (this.state === ('registered' as string)) this.setState('unregistered');
  }

  /**
   * Twilio sends this device an incoming call, as it does to every registered device of the identity:
   * `incoming` fires with a {@link FakeVoiceCall}. Returns `undefined` (no call) unless `registered`.
   */
  simulateIncomingCall(parameters: { CallSid?: string; From?: string; To?: string } = {}): FakeVoiceCall | undefined {
    if (this.state !== 'registered') return undefined;
    fakeCallCount += 1;
    const call = new FakeVoiceCall({
      CallSid: parameters.CallSid ?? `CA${fakeCallCount.toString(16).padStart(32, '0')}`,
      From: parameters.From ?? '+15550100',
      To: parameters.To ?? 'client:alice',
    });
    this.calls.push(call);
    const forget = () => this.calls.splice(this.calls.indexOf(call) >>> 0, 1);
    for (const event of ['cancel', 'disconnect', 'reject'] as const) call.on(event, forget);
    this.emit('incoming', call);
    return call;
  }

  /** The signaling socket drops: a registered device turns `unregistered` (the SDK re-registers after a reconnect). */
  simulateSignalingDrop(): void {
    if (this.state === 'registered' || this.state === 'registering') this.setState('unregistered');
  }

  /**
   * Ends the device, as the SDK's `destroy()`: rejects ringing calls, says `unregistered` (if it was
   * registered) and then `destroyed`; `updateToken` throws afterwards.
   */
  destroy(): void {
    this.destroyCalls += 1;
    if (this.state === 'destroyed') return;
    for (const call of [...this.calls]) call.reject();
    if (this.state !== 'unregistered') this.setState('unregistered');
    this.state = 'destroyed';
    this.emit('destroyed');
  }

  /** Fires `tokenWillExpire` with the device, as the SDK does. */
  warnTokenWillExpire(): void {
    this.emit('tokenWillExpire', this);
  }

  /** Moves to `state` and fires the event of that name, as the SDK does; nothing if it is there already. */
  setState(state: VoiceDeviceState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit(state);
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
