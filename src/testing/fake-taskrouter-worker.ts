import { FakeEmitter } from './fake-emitter';

type WorkerEvent = 'ready' | 'tokenUpdated' | 'tokenExpired' | 'disconnected' | 'error';

/** What `disconnect()` reports, as `twilio-taskrouter` does on GraphQL signaling. */
const SDK_DISCONNECT = '[GQL] SDK Disconnect';

/**
 * A stand-in for `twilio-taskrouter`'s `Worker` (2.x), with the token behaviour apps must survive:
 * - `updateToken` is synchronous, emits `tokenUpdated`, and reports a failure as an `error` event (it
 *   throws only while no one listens for `error`);
 * - `tokenExpired` (fired by {@link expireToken}, as the Worker's own timer does 5 s before the end of the
 *   lifetime) turns its reconnects off until the next `updateToken`, even while its token is fresh;
 * - a dropped socket ({@link dropConnection}) reconnects at once with the token it holds, unless its
 *   reconnects are off: then it stays disconnected until `updateToken`, which has no equality check, so
 *   its own token handed again reconnects it.
 *
 * @example
 * const worker = new FakeTaskRouterWorker(jwt);
 * const detach = attachTaskRouter(manager, worker);
 * worker.expireToken(); // the Worker's warning: the adapter hands a fresh token if one is due
 */
export class FakeTaskRouterWorker extends FakeEmitter<WorkerEvent> {
  /** Every JWT handed to `updateToken`, in order. */
  readonly updateTokenCalls: string[] = [];
  /** What the next `updateToken` calls do: `throw` fails them as the Worker does. @default 'resolve' */
  updateTokenBehaviour: 'resolve' | 'throw' = 'resolve';
  /** Every token the Worker opened its socket with, in order. */
  readonly connections: string[] = [];
  /** True while its socket is open. */
  isConnected = false;
  /** False after `tokenExpired` until the next `updateToken`. */
  isReconnectOn = true;
  #isDisconnectedByApp = false;

  /** @param token the JWT the Worker is created with; it connects at once */
  constructor(public token: string) {
    super();
    this.#connect();
  }

  updateToken(token: string): void {
    this.updateTokenCalls.push(token);
    if (this.updateTokenBehaviour === 'throw') {
      const error = new Error('Failed to update the token (fake)');
      if (this.listenerCount('error') === 0) throw error;
      this.emit('error', error);
      return;
    }
    this.token = token;
    this.isReconnectOn = true;
    this.emit('tokenUpdated');
    if (!this.isConnected && !this.#isDisconnectedByApp) this.#connect();
  }

  /** The Worker's own warning, 5 s before the end of the lifetime its server reported. */
  expireToken(): void {
    this.isReconnectOn = false;
    this.emit('tokenExpired');
  }

  /** The socket closes (a network change, the server at expiry): it reconnects if it may. */
  dropConnection(message = 'socket closed (fake)'): void {
    if (!this.isConnected) return;
    this.isConnected = false;
    this.emit('disconnected', { message });
    if (this.isReconnectOn && !this.#isDisconnectedByApp) this.#connect();
  }

  /** Ends the Worker, as the app's `worker.disconnect()`. */
  disconnect(): void {
    this.#isDisconnectedByApp = true;
    if (!this.isConnected) return;
    this.isConnected = false;
    this.emit('disconnected', { message: SDK_DISCONNECT });
  }

  #connect(): void {
    this.isConnected = true;
    this.connections.push(this.token);
    this.emit('ready', this);
  }
}
