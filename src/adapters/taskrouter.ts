import type { TokenManager } from '../token-manager';
import { noop } from 'rxjs';
import { attachClient, type AttachOptions, type Detach, type TokenClient } from './attach-client';

/** The shape of `twilio-taskrouter`'s `Worker` (2.x) that the adapter uses. */
export type TaskRouterWorkerLike = TokenClient<'tokenExpired' | 'disconnected' | 'error'>;

/**
 * What `worker.disconnect()` reports (`[GQL] SDK Disconnect` on GraphQL signaling); any other
 * `disconnected` is a close the app did not ask for.
 */
const SDK_DISCONNECT = /SDK Disconnect$/;

/**
 * Hands every new token of `manager` to a TaskRouter `Worker` (`twilio-taskrouter` 2.x), once each and
 * for its identity only. The Worker's `tokenExpired` comes from its own timer, 5 s before the end of
 * the lifetime the server reported at connect, and turns its reconnects off until the next
 * `updateToken`. The adapter takes it as a hint: it hands a fresh token when the manager's is inside its
 * refresh window (fetching one if needed) and does nothing while the Worker holds a fresh one. If the
 * Worker's socket then closes while its reconnects are off, the adapter hands it its own token again
 * when the manager still holds it (the Worker has no equality check: that reconnects it), else the
 * manager's valid token, fetching one if needed.
 *
 * @example
 * const { jwt } = await manager.getToken();
 * const worker = new Worker(jwt);
 * const detach = attachTaskRouter(manager, worker);
 * // sign-out: detach() first, then worker.disconnect(), or the next token would reconnect it
 */
export function attachTaskRouter(manager: TokenManager, worker: TaskRouterWorkerLike, options?: AttachOptions): Detach {
  let isReconnectOff = false;
  // The token the Worker holds, as far as the adapter knows; cleared by detach.
  let held = options?.createdWith ?? manager.getState().token?.jwt;
  // The Worker reports a failed `updateToken` as an `error` event emitted during the call (and throws
  // only while no one listens for `error`): both become a throw, so a failure is always reported.
  const updateToken = (token: string) => {
    let failure: { error: unknown } | undefined;
    const onWorkerError = (error: unknown) => (failure ??= { error });
    worker.on('error', onWorkerError);
    try {
      worker.updateToken(token);
    } finally {
      worker.removeListener('error', onWorkerError);
    }
    if (failure) throw failure.error;
    held = token;
    isReconnectOff = false;
  };
  const markOff = () => (isReconnectOff = true);
  // A close while its reconnects are off strands the Worker, even with a fresh token. A token other
  // than its own reaches it through attachClient (fetched here if the manager has no valid one); its
  // own, still valid, is handed again here, since attachClient never hands a client the token it holds.
  // A failure there was already emitted as the Worker's own `error` event.
  const onClose = (reason?: { message?: string }) => {
    if (isReconnectOff && !SDK_DISCONNECT.test(String(reason?.message))) {
      manager
        .getToken({ minValidityMs: 1 })
        // Still off (a burst of closes hands it once), its own token, and never another user's: `held`
        // defaults to the manager's token, whoever it is for.
        .then(({ jwt, identity }) => isReconnectOff && jwt === held && (options?.identity ?? identity) === identity && updateToken(jwt))
        .catch(noop);
    }
  };
  const client: TokenClient<'tokenExpired'> = {
    updateToken,
    on: worker.on.bind(worker),
    removeListener: worker.removeListener.bind(worker),
  };
  worker.on('tokenExpired', markOff);
  worker.on('disconnected', onClose);
  const detach = attachClient(manager, client, { ...options, hints: ['tokenExpired'] });
  return () => {
    held = undefined;
    worker.removeListener('tokenExpired', markOff);
    worker.removeListener('disconnected', onClose);
    detach();
  };
}
