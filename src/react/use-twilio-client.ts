import { useEffect, useState } from 'react';
import { noop } from 'rxjs';
import type { AccessToken } from '../access-token';
import type { Detach } from '../adapters/attach-client';
import type { ClientConnection } from '../adapters/client-connection';
import type { TokenManager } from '../token-manager';
import { useTokenManager } from './context';

/**
 * - `idle`: signed out (no manager), so no client.
 * - `connecting`: waiting for a token, or for the client to be created.
 * - `ready`: the client exists and receives every new token; whether it is connected is `connectionState`.
 * - `error`: no token could be had, or creating the client failed; `error` says why.
 */
export type TwilioClientStatus = 'idle' | 'connecting' | 'ready' | 'error';

/**
 * What a client hook returns; the object keeps its identity until something in it changes. Checking
 * `status` narrows it: `client` and `connectionState` are set exactly while `ready`, `error` exactly
 * while `error`.
 *
 * `connectionState` mirrors the client's own state, and changes with it while `status` stays `ready`:
 * a {@link TwilsockConnectionState} (`connected` only while it is logged in) for Conversations and
 * Sync, a {@link VoiceDeviceState} (`registered`) for Voice, a {@link VideoRoomState} for Video; with
 * `useTwilioClient`, what its `connection` reads (`undefined` without one).
 */
export type TwilioClientResult<Client, State = unknown> =
  | { readonly status: 'idle' | 'connecting'; readonly client: undefined; readonly error: undefined; readonly connectionState?: undefined }
  | { readonly status: 'ready'; readonly client: Client; readonly error: undefined; readonly connectionState: State }
  /** `error`: a `TokenError` when no token could be had, else what creating the client threw. */
  | { readonly status: 'error'; readonly client: undefined; readonly error: Error; readonly connectionState?: undefined };

/** Makes the client from the first token; may be async (Video's `connect`, Chat's `Client.create`). */
export type CreateClient<Client> = (token: AccessToken, manager: TokenManager) => Client | PromiseLike<Client>;
/** Starts handing the manager's tokens to the client (an `attach*` adapter); returns how to stop. */
export type AttachClient<Client> = (manager: TokenManager, client: Client, token: AccessToken) => Detach | void;
/** Ends the client: `shutdown()`, `destroy()`, `disconnect()`. A returned promise is not awaited. */
export type DisposeClient<Client> = (client: Client) => unknown;

const IDLE: TwilioClientResult<never, never> = /* @__PURE__ */ Object.freeze({ client: undefined, status: 'idle', error: undefined });
const CONNECTING: TwilioClientResult<never, never> = /* @__PURE__ */ Object.freeze({ client: undefined, status: 'connecting', error: undefined });

const toError = (cause: unknown): Error => (cause instanceof Error ? cause : new Error(String(cause), { cause }));

/** Disposes without letting a failure escape: on the way out there is nobody to tell. */
function safely<Client>(dispose: DisposeClient<Client>, client: Client): void {
  try {
    Promise.resolve(dispose(client)).catch(noop); // a returned promise (or thenable) that rejects, too
  } catch {
    // ignored, as above
  }
}

/**
 * Owns one SDK client for the {@link TokenManagerProvider}'s user: creates it once a token is there,
 * attaches it, and on unmount or a change of user detaches it and disposes of it, so there is never
 * more than one client per user, under StrictMode too. A client whose creation finishes after that is
 * disposed of at once. If no token can be had, `status` is `error` until the manager gets one (it
 * retries on its own; a 401/403 waits for `refresh()`), then the client is created with it.
 *
 * With `connection` (how to read the client's state and hear it change), `connectionState` follows the
 * client's own state while `ready`; the package's {@link twilsockConnection} serves Chat.
 *
 * `create`, `attach`, `dispose` and `connection` are read when the client is created: new functions
 * every render do not make a new client. To make one with other options, remount it (give it a `key`).
 *
 * @example
 * const { client, status } = useTwilioClient(
 *   async (token) => Client.create(token.jwt), // twilio-chat
 *   (manager, client, token) => attachChat(manager, client, { createdWith: token.jwt }),
 *   (client) => client.shutdown(),
 *   twilsockConnection, // connectionState: 'connecting', then 'connected' …
 * );
 */
export function useTwilioClient<Client, State = undefined>(
  create: CreateClient<Client>,
  attach: AttachClient<Client>,
  dispose: DisposeClient<Client>,
  connection?: ClientConnection<NoInfer<Client>, State>,
): TwilioClientResult<Client, State> {
  const manager = useTokenManager();
  const [held, setHeld] = useState<{ manager: TokenManager; result: TwilioClientResult<Client, State> } | null>(null);

  useEffect(() => {
    if (manager === null) return;
    let isLive = true;
    // Ends the client: stops following it, detaches it and disposes of it.
    let release: (() => void) | undefined;
    let stopWaiting: (() => void) | undefined;
    const publish = (result: TwilioClientResult<Client, State>) => {
      if (isLive) setHeld({ manager, result });
    };
    const fail = (cause: unknown) => publish({ client: undefined, status: 'error', error: toError(cause) });

    const build = (token: AccessToken) => {
      let pending: Client | PromiseLike<Client>;
      try {
        pending = create(token, manager);
      } catch (error) {
        fail(error);
        return;
      }
      Promise.resolve(pending).then((value) => {
        if (!isLive) return safely(dispose, value); // created after unmount or a change of user
        let detach: Detach | void;
        let unfollow: (() => void) | undefined;
        let shown: State;
        // Ready, in the state the client reports now; on a change of it, a new result.
        const ready = () => publish({ client: value, status: 'ready', error: undefined, connectionState: (shown = connection?.read(value) as State) });
        const end = () => {
          unfollow?.();
          detach?.();
          safely(dispose, value);
        };
        try {
          detach = attach(manager, value, token);
          unfollow = connection?.subscribe(value, () => connection.read(value) !== shown && ready());
          ready();
          release = end;
        } catch (error) {
          end(); // `attach` or `connection` threw: undo what was done, and say why
          fail(error);
        }
      }, fail);
    };

    // Waits for the manager's next token (it retries by itself; a 401/403 until `refresh()`).
    const retryWithNextToken = () => {
      let isDone = false;
      const subscription = manager.token$.subscribe((token) => {
        if (isDone) return;
        isDone = true;
        stopWaiting?.();
        publish(CONNECTING);
        build(token);
      });
      stopWaiting = () => subscription.unsubscribe();
      if (isDone) stopWaiting();
    };

    manager.getToken().then(
      (token) => {
        if (isLive) build(token);
      },
      (error) => {
        if (!isLive) return;
        fail(error);
        retryWithNextToken();
      },
    );

    return () => {
      isLive = false;
      stopWaiting?.();
      setHeld((previous) => (previous?.manager === manager ? null : previous)); // let the client go
      release?.();
    };
    // `create`, `attach`, `dispose` and `connection` as of this render: read when the client is created, on purpose.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [manager]);

  if (manager === null) return IDLE;
  // Until this manager's effect has published: never a previous user's client.
  return held !== null && held.manager === manager ? held.result : CONNECTING;
}
