import { Observable, type Subscriber } from 'rxjs';

/**
 * The current value and everyone who listens to it: `observable` replays it (unless `replay` is
 * false: a stream of events), `listen` does not. A few lines instead of rxjs's BehaviorSubject and
 * Subject, to keep the core small.
 */
export interface StateStore<T> {
  readonly value: T;
  /** Replays the current value (with `replay`), then every change, until `complete()`. */
  readonly observable: Observable<T>;
  /** Calls `listener` on every change (not with the current value). */
  listen(listener: (value: T) => void): () => void;
  /** Sets the value and tells everyone; with `defer`, tells them in a microtask (if it is still the value). */
  set(value: T, defer?: boolean): void;
  complete(): void;
}

export function stateStore<T>(initial: T, replay = true): StateStore<T> {
  let current = initial;
  let isComplete = false;
  const subscribers = new Set<Subscriber<T>>();
  const listeners = new Set<(value: T) => void>();
  const notify = (value: T) => {
    for (const subscriber of [...subscribers]) subscriber.next(value);
    for (const listener of [...listeners]) {
      try {
        listener(value);
      } catch (error) {
        // One listener's bug must not silence the others, nor break the caller that changed the state.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  return {
    get value() {
      return current;
    },
    observable: new Observable<T>((subscriber) => {
      if (replay) subscriber.next(current);
      if (isComplete) return subscriber.complete();
      subscribers.add(subscriber);
      return () => subscribers.delete(subscriber);
    }),
    listen(listener) {
      // A wrapper per call, so the same function listening twice is two listeners.
      const wrapped = (value: T) => listener(value);
      listeners.add(wrapped);
      return () => listeners.delete(wrapped);
    },
    set(value, defer = false) {
      if (isComplete) return;
      current = value;
      if (defer) queueMicrotask(() => current === value && notify(value));
      else notify(value);
    },
    complete() {
      isComplete = true;
      for (const subscriber of [...subscribers]) subscriber.complete();
      subscribers.clear();
      listeners.clear();
    },
  };
}
