import { parseAccessToken } from 'twilio-token-lifecycle';

// Stands in for '@twilio/conversations' (vite.config.ts aliases it here): the same constructor, token
// methods, events and `shutdown()`, and `window.fakeConversations` for the browser test to read.
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
  }
}
window.fakeConversations = [];

export class Client {
  readonly user: { identity: string };
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #record: FakeClientRecord;

  constructor(token: string) {
    const identity = parseAccessToken(token).identity;
    this.user = { identity: identity ?? '' };
    this.#record = { identity, tokensHanded: 0, listeners: 0, isShutDown: false };
    window.fakeConversations.push(this.#record);
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
    return Promise.resolve();
  }

  #count(): void {
    this.#record.listeners = [...this.#listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
}
