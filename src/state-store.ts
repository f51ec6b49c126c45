import { Observable, type Subscriber } from 'rxjs';

/**
 * The current value and everyone who listens to it: `state$` replays it, `subscribe` does not.
 * A few lines instead of rxjs's BehaviorSubject, to keep the core small.
 */
export class StateStore<T> {
  #value: T;
  readonly #subscribers = new Set<Subscriber<T>>();
  readonly #listeners = new Set<(value: T) => void>();
  #isComplete = false;

  constructor(initial: T) {
    this.#value = initial;
  }

  get value(): T {
    return this.#value;
  }

  /** Replays the current value, then every change, until `complete()`. */
  readonly observable = new Observable<T>((subscriber) => {
    subscriber.next(this.#value);
    if (this.#isComplete) return subscriber.complete();
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  });

  /** Calls `listener` on every change (not with the current value). */
  listen(listener: (value: T) => void): () => void {
    // A wrapper per call, so the same function listening twice is two listeners.
    const wrapped = (value: T) => listener(value);
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  /** Sets the value and tells everyone; with `defer`, tells them in a microtask (if it is still the value). */
  set(value: T, defer = false): void {
    if (this.#isComplete) return;
    this.#value = value;
    if (defer) queueMicrotask(() => this.#value === value && this.#notify(value));
    else this.#notify(value);
  }

  #notify(value: T): void {
    for (const subscriber of [...this.#subscribers]) subscriber.next(value);
    for (const listener of [...this.#listeners]) listener(value);
  }

  complete(): void {
    this.#isComplete = true;
    for (const subscriber of [...this.#subscribers]) subscriber.complete();
    this.#subscribers.clear();
    this.#listeners.clear();
  }
}
