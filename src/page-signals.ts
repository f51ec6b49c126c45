/**
 * What the page tells the manager: `wake` whenever it may have slept, been throttled or come back
 * (visible again, `pageshow`, `focus`, `resume`); `hidden`; `freeze` just before the page stops
 * running (`freeze`, or `pagehide` as it is closed or put in the back/forward cache).
 */
export type PageEvent = 'wake' | 'hidden' | 'freeze';

/** Page lifecycle, behind an interface so workers, React Native and tests can supply their own. */
export interface PageSignals {
  isVisible(): boolean;
  /** Listens until the returned function is called. */
  subscribe(listener: (event: PageEvent) => void): () => void;
}

/** Network status, behind an interface for the same reason. */
export interface NetworkSignals {
  isOnline(): boolean;
  /** Calls `listener` with the new status on every change, until the returned function is called. */
  subscribe(listener: (isOnline: boolean) => void): () => void;
}

/** Adds one handler for several events (space-separated) on several targets; returns what removes them all. */
function listen(targets: Array<[EventTarget, string]>, handler: (event: Event) => void): () => void {
  for (const [target, types] of targets) for (const type of types.split(' ')) target.addEventListener(type, handler);
  return () => {
    for (const [target, types] of targets) for (const type of types.split(' ')) target.removeEventListener(type, handler);
  };
}

/** The browser's page lifecycle; `undefined` where there is no `document` (SSR, workers). */
export function browserPageSignals(): PageSignals | undefined {
  if (typeof document === 'undefined' || typeof window === 'undefined') return undefined;
  return {
    isVisible: () => document.visibilityState !== 'hidden',
    subscribe: (listener) =>
      listen(
        [
          [document, 'visibilitychange resume freeze'],
          [window, 'pageshow focus pagehide'],
        ],
        // A resumed page may still be hidden, yet its timers slept: that too is a wake.
        ({ type }) =>
          listener(
            type === 'freeze' || type === 'pagehide'
              ? 'freeze'
              : type === 'visibilitychange' && document.visibilityState === 'hidden'
                ? 'hidden'
                : 'wake',
          ),
      ),
  };
}

/** `navigator.onLine` and the `online`/`offline` events; `undefined` outside a browser. */
export function browserNetworkSignals(): NetworkSignals | undefined {
  if (typeof window === 'undefined' || typeof navigator === 'undefined' || !('onLine' in navigator)) return undefined;
  return {
    isOnline: () => navigator.onLine !== false,
    subscribe: (listener) => listen([[window, 'online offline']], ({ type }) => listener(type === 'online')),
  };
}
