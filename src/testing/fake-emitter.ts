type Listener = (...args: unknown[]) => void;

/** A tiny event emitter with the method names Twilio's SDKs use. */
export class FakeEmitter<Event extends string> {
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
