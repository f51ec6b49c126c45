import type { Detach, TokenError, TokenManager } from '../../../../src/index';

/** What a test reads from a page: `window.harness`, plain data only. */
export interface Harness {
  ready: boolean;
  fatal?: string;
  /** Times the SDK's own "token will expire" event fired. */
  hints: number[];
  /** Token requests the manager sent, with why. */
  requests: { at: number; reason: string }[];
  /** `onError` of the adapter, as `code: message`. */
  adapterErrors: string[];
  /** The SDK's own `error` events, as `code: message`. */
  sdkErrors: string[];
  /** Unhandled rejections seen by the page itself (pageerror sees them too). */
  unhandled: string[];
  detach?: Detach;
  [key: string]: unknown;
}

/** Puts an empty harness on `window` and records the manager's requests and unhandled rejections. */
export function createHarness() {
  const harness = {
    ready: false,
    hints: [],
    requests: [],
    adapterErrors: [],
    sdkErrors: [],
    unhandled: [],
    watch(manager: TokenManager) {
      manager.events$.subscribe((event) => {
        if (event.type === 'request') harness.requests.push({ at: event.at, reason: event.reason });
      });
    },
    onAdapterError(error: TokenError) {
      harness.adapterErrors.push(`${error.code}: ${error.message}`);
    },
    fail(error: unknown) {
      harness.fatal = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    },
  } as Harness & { watch(manager: TokenManager): void; onAdapterError(error: TokenError): void; fail(error: unknown): void };
  window.addEventListener('unhandledrejection', (event) => harness.unhandled.push(String(event.reason)));
  (window as unknown as { harness: Harness }).harness = harness;
  return harness;
}
