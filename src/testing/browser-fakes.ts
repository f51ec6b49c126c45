import type { CrossTabChannel, CrossTabMessage } from '../cross-tab/channel';
import type { LockManagerLike } from '../cross-tab/election';
import type { NetworkSignals, PageEvent, PageSignals } from '../page-signals';

/** In-memory BroadcastChannels: each tab's channel hears every other channel of the same name, asynchronously. */
export class FakeBroadcastHub {
  readonly #channels = new Map<string, Set<(message: CrossTabMessage) => void>>();
  readonly posted: CrossTabMessage[] = [];
  /** Drops every message while true, as if the channel were broken. */
  isBroken = false;

  readonly factory = (name: string): CrossTabChannel => {
    const listeners = new Set<(message: CrossTabMessage) => void>();
    const members = this.#channels.get(name) ?? new Set();
    this.#channels.set(name, members);
    let isOpen = true;
    const deliver = (message: CrossTabMessage) => {
      for (const listener of listeners) listener(message);
    };
    members.add(deliver);
    return {
      post: (message) => {
        if (!isOpen || this.isBroken) return;
        this.posted.push(message);
        const copy = structuredClone(message);
        for (const member of members) {
          if (member !== deliver) queueMicrotask(() => member(copy));
        }
      },
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      close: () => {
        isOpen = false;
        members.delete(deliver);
      },
    };
  };
}

interface LockRequest {
  name: string;
  /** The fake tab that asked, if it asked through {@link FakeLockManager.tab}. */
  tab?: object;
  callback: () => Promise<void> | void;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A Web Locks manager shared by fake tabs: one holder per name, the rest queued in order. */
export class FakeLockManager implements LockManagerLike {
  readonly #held = new Map<string, LockRequest>();
  readonly #queue: LockRequest[] = [];

  request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void> | void): Promise<unknown> {
    return this.#request(name, options, callback, undefined);
  }

  /**
   * One tab's `navigator.locks`: the same locks, and `close()` plays the tab closing or crashing: the
   * browser frees what it holds and drops what it waits for, though its callbacks never finished.
   */
  tab(): LockManagerLike & { close(): void } {
    const tab = {};
    return {
      request: (name, options, callback) => this.#request(name, options, callback, tab),
      query: () => this.query(),
      close: () => {
        for (const request of this.#queue.filter((queued) => queued.tab === tab)) this.#queue.splice(this.#queue.indexOf(request), 1);
        for (const [name, held] of [...this.#held]) {
          if (held.tab !== tab) continue;
          this.#held.delete(name);
          this.#pump(name);
        }
      },
    };
  }

  #request(name: string, options: { signal?: AbortSignal }, callback: () => Promise<void> | void, tab: object | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const request: LockRequest = { name, tab, callback, resolve, reject };
      options.signal?.addEventListener('abort', () => {
        const index = this.#queue.indexOf(request);
        if (index >= 0) {
          this.#queue.splice(index, 1);
          reject(new DOMException('aborted', 'AbortError'));
        }
      });
      this.#queue.push(request);
      this.#pump(name);
    });
  }

  async query() {
    return {
      held: [...this.#held.values()].map(({ name }) => ({ name })),
      pending: this.#queue.map(({ name }) => ({ name })),
    };
  }

  holderCount(name?: string) {
    return [...this.#held.values()].filter((lock) => name === undefined || lock.name === name).length;
  }

  #pump(name: string) {
    if (this.#held.has(name)) return;
    const index = this.#queue.findIndex((request) => request.name === name);
    if (index < 0) return;
    const [request] = this.#queue.splice(index, 1) as [LockRequest];
    this.#held.set(name, request);
    Promise.resolve()
      .then(() => request.callback())
      .then(
        (value) => {
          this.#free(request);
          request.resolve(value);
        },
        (error) => {
          this.#free(request);
          request.reject(error);
        },
      );
  }

  #free(request: LockRequest) {
    // A closed tab's lock was freed already, and may be another's by now.
    if (this.#held.get(request.name) !== request) return;
    this.#held.delete(request.name);
    this.#pump(request.name);
  }
}

/** The listeners of one fake signal. */
class FakeSignal<T> {
  readonly #listeners = new Set<(value: T) => void>();

  subscribe(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  protected notify(value: T): void {
    for (const listener of [...this.#listeners]) listener(value);
  }
}

/** Page lifecycle under the test's control. */
export class FakePageSignals extends FakeSignal<PageEvent> implements PageSignals {
  isPageVisible = true;
  isVisible = () => this.isPageVisible;
  emit(event: PageEvent) {
    if (event === 'hidden') this.isPageVisible = false;
    if (event === 'wake') this.isPageVisible = true;
    this.notify(event);
  }
}

/** Online status under the test's control. */
export class FakeNetworkSignals extends FakeSignal<boolean> implements NetworkSignals {
  online = true;
  isOnline = () => this.online;
  set(online: boolean) {
    this.online = online;
    this.notify(online);
  }
}
