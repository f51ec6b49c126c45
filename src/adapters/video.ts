import type { TokenManager } from '../token-manager';

/** Options of {@link connectVideo}: twilio-video's `ConnectOptions`, plus how fresh the token must be. */
export type ConnectVideoOptions<Options> = Options & {
  /** The token must stay valid at least this long when connecting. @default 60000 */
  minValidityMs?: number;
};

// Twilio's "invalid access token" and "access token expired": fetch a new token and try again.
const RETRY_WITH_NEW_TOKEN = new Set([20101, 20104]);

const isTokenRejection = (error: unknown) =>
  typeof error === 'object' && error !== null && RETRY_WITH_NEW_TOKEN.has((error as { code?: unknown }).code as number);

/**
 * Connects to a Video room with a token valid for at least `minValidityMs`. A connected Room keeps
 * running when its token expires, so there is nothing to refresh afterwards; if Twilio rejects the
 * token (20101 or 20104), this refreshes once and tries again.
 *
 * @example
 * import { connect } from 'twilio-video';
 * const room = await connectVideo(manager, connect, { name: 'standup' });
 */
export async function connectVideo<Room, Options = undefined>(
  manager: TokenManager,
  connect: (token: string, options?: Options) => PromiseLike<Room>,
  options?: ConnectVideoOptions<Options>,
): Promise<Room> {
  const { minValidityMs = 60_000, ...connectOptions } = options ?? ({} as ConnectVideoOptions<Options>);
  const forward = (options === undefined ? undefined : connectOptions) as Options | undefined;
  const token = await manager.getToken({ minValidityMs });
  try {
    return await connect(token.jwt, forward);
  } catch (error) {
    if (!isTokenRejection(error)) throw error;
    const fresh = await manager.refresh();
    return connect(fresh.jwt, forward);
  }
}
