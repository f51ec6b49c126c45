type Listener = (...args: unknown[]) => void;

/** How a fake's `updateToken` behaves. */
export type UpdateTokenBehaviour = 'resolve' | 'reject' | 'never' | 'throw';

/** A tiny event emitter with the method names Twilio's SDKs use. */
class FakeEmitter<Event extends string> {
  readonly #listeners = new Map<string, Set<Listener>>();

  on(event: Event, listener: Listener): this {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  addListener(event: Event, listener: Listener): this {
    return this.on(event, listener);
  }

  removeListener(event: Event, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  off(event: Event, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  /** Fires `event` as the SDK would, with its arguments. */
  emit(event: Event, ...args: unknown[]): boolean {
    const set = this.#listeners.get(event);
    for (const listener of [...(set ?? [])]) listener(...args);
    return (set?.size ?? 0) > 0;
  }

  /** Listeners on `event`, or on every event when none is named. */
  listenerCount(event?: Event): number {
    if (event !== undefined) return this.#listeners.get(event)?.size ?? 0;
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }
}

/** A stand-in for a Conversations, Chat or Sync client: records `updateToken` and emits their events. */
export class FakeTokenClient extends FakeEmitter<'tokenAboutToExpire' | 'tokenExpired'> {
  /** Every JWT handed to `updateToken`, in order. */
  readonly updateTokenCalls: string[] = [];
  /** What the next `updateToken` calls do. @default 'resolve' */
  updateTokenBehaviour: UpdateTokenBehaviour = 'resolve';

  /** @param token the JWT the client is created with */
  constructor(public token: string) {
    super();
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
export class FakeVoiceDevice extends FakeEmitter<'tokenWillExpire'> {
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

  updateToken(token: string): void {
    this.updateTokenCalls.push(token);
    if (this.updateTokenBehaviour === 'throw') throw new Error('InvalidStateError: Device has been destroyed (fake)');
    this.#token = token;
  }

  /** Fires `tokenWillExpire` with the device, as the SDK does. */
  warnTokenWillExpire(): void {
    this.emit('tokenWillExpire', this);
  }
}
