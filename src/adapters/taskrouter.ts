import type { TokenManager } from '../token-manager';
import { attachClient, type AttachOptions, type Detach, type TokenClient } from './attach-client';

/** The shape of `twilio-taskrouter`'s `Worker` (2.x) that the adapter uses. */
export type TaskRouterWorkerLike = TokenClient<'tokenExpired' | 'disconnected' | 'error'>;

// `any` so the Worker's own listener types are accepted, as in attach-client.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/** What `worker.disconnect()` reports; any other `disconnected` is a close the app did not ask for. */
const SDK_DISCONNECT = 'SDK Disconnect';

/**
 * The Worker as `attachClient` needs it, with two repairs:
 * - it reports a failed `updateToken` as an `error` event emitted during the call (and throws only
 *   while no one listens for `error`): both become a throw, so a failure is always reported;
 * - its `tokenExpired` turns its reconnects off until the next `updateToken`, even when the token it
 *   holds is fresh, so a close in that gap strands it: that close is reported as `stranded`.
 */
function workerClient(worker: TaskRouterWorkerLike): TokenClient<'tokenExpired' | 'stranded'> {
  let isReconnectOff = false;
  let onStranded: Listener | undefined; // attachClient listens once per event
  const markOff = () => (isReconnectOff = true);
  const onClose = (reason?: { message?: string }) => {
    if (isReconnectOff && reason?.message !== SDK_DISCONNECT) onStranded?.();
  };
  return {
    updateToken(token) {
      let failure: { error: unknown } | undefined;
      const onError = (error: unknown) => (failure ??= { error });
      worker.on('error', onError);
      try {
        worker.updateToken(token);
      } finally {
        worker.removeListener('error', onError);
      }
      if (failure) throw failure.error;
      isReconnectOff = false;
    },
    on(event, listener) {
      if (event === 'tokenExpired') return worker.on(event, listener);
      onStranded = listener;
      worker.on('tokenExpired', markOff);
      return worker.on('disconnected', onClose);
    },
    removeListener(event, listener) {
      if (event === 'tokenExpired') return worker.removeListener(event, listener);
      worker.removeListener('tokenExpired', markOff);
      return worker.removeListener('disconnected', onClose);
    },
  };
}

/**
 * Hands every new token of `manager` to a TaskRouter `Worker` (`twilio-taskrouter` 2.x), once each and
 * for its identity only. The Worker's `tokenExpired` comes from its own timer, 5 s before the end of
 * the lifetime the server reported at connect, and turns its reconnects off until a new token comes.
 * The adapter takes it as a hint: it hands a fresh token when the manager's is inside its refresh
 * window (fetching one if needed) and does nothing while the Worker holds a fresh one; if the Worker's
 * socket then closes while its reconnects are off, it fetches a new token, which reconnects it.
 *
 * @example
 * const { jwt } = await manager.getToken();
 * const worker = new Worker(jwt);
 * const detach = attachTaskRouter(manager, worker);
 * // sign-out: detach() first, then worker.disconnect(), or the next token would reconnect it
 */
export function attachTaskRouter(manager: TokenManager, worker: TaskRouterWorkerLike, options?: AttachOptions): Detach {
  return attachClient(manager, workerClient(worker), { ...options, hints: ['tokenExpired'], expired: ['stranded'] });
}
