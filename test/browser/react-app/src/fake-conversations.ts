import { parseAccessToken } from 'twilio-token-lifecycle';

// Stands in for '@twilio/conversations' (vite.config.ts aliases it here): the same constructor, token
// methods, events, `connectionState` and `shutdown()`, and `window.fakeConversations` for the browser
// test to read (and `window.setFakeConnectionState` to play a lost socket).
type Listener = (...args: unknown[]) => void;

export interface FakeClientRecord {
  identity: string | undefined;
  tokensHanded: number;
  listeners: number;
  isShutDown: boolean;
}

declare global {
  interface Window {
    fakeConversations: FakeClientRecord[];
    /** Moves every live client to `state`, firing `connectionStateChanged`, as the SDK does. */
    setFakeConnectionState(state: string): void;
  }
}
window.fakeConversations = [];
const live = new Set<Client>();
window.setFakeConnectionState = (state) => {
  for (const client of live) client.setConnectionState(state);
};

export class Client {
  readonly user: { identity: string };
  /** As the SDK's: `connecting` when made, `connected` once its socket is up (here, a moment later). */
  connectionState = 'connecting';
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #record: FakeClientRecord;

  constructor(token: string) {
    const identity = parseAccessToken(token).identity;
    this.user = { identity: identity ?? '' };
    this.#record = { identity, tokensHanded: 0, listeners: 0, isShutDown: false };
    window.fakeConversations.push(this.#record);
    live.add(this);
    setTimeout(() => this.connectionState === 'connecting' && this.setConnectionState('connected'), 50);
  }

  setConnectionState(state: string): void {
    this.connectionState = state;
    for (const listener of [...(this.#listeners.get('connectionStateChanged') ?? [])]) listener(state);
  }

  updateToken(token: string): Promise<this> {
    parseAccessToken(token);
    this.#record.tokensHanded += 1;
    return Promise.resolve(this);
  }

  on(event: string, listener: Listener): this {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set.add(listener));
    this.#count();
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener);
    this.#count();
    return this;
  }

  shutdown(): Promise<void> {
    this.#record.isShutDown = true;
    live.delete(this);
    this.setConnectionState('disconnected');
    return Promise.resolve();
  }

  #count(): void {
    this.#record.listeners = [...this.#listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
}
