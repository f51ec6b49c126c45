import { TokenError } from '../errors';
import type { TokenManager } from '../token-manager';

/** Options of {@link connectVideo}: twilio-video's `ConnectOptions`, plus how fresh the token must be. */
export type ConnectVideoOptions<Options> = Options & {
  /**
   * The token must stay valid at least this long when connecting. A value no token can meet rejects
   * with `invalid-token`, saying so.
   * @default 60000, or half a fresh token's lifetime when that is shorter (tokens of 2 min or less)
   */
  minValidityMs?: number;
};

// Twilio's "invalid access token" and "access token expired": fetch a new token and try again.
const RETRY_WITH_NEW_TOKEN = new Set([20101, 20104]);

/**
 * Refreshes allowed to come back with a JWT other than the refused one. Twilio's helper mints
 * byte-identical tokens within one second and the manager sends at most one request a second, so the
 * second refresh normally differs; past this the token server is not minting anything new.
 */
const MAX_REFRESHES_FOR_A_NEW_TOKEN = 3;

const isTokenRejection = (error: unknown) =>
  typeof error === 'object' && error !== null && RETRY_WITH_NEW_TOKEN.has((error as { code?: unknown }).code as number);

/** A token other than `refused`, or `undefined` when every refresh returned the same JWT. */
async function tokenOtherThan(manager: TokenManager, refused: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < MAX_REFRESHES_FOR_A_NEW_TOKEN; attempt++) {
    const { jwt } = await manager.refresh();
    if (jwt !== refused) return jwt;
  }
  return undefined;
}

/**
 * Connects to a Video room with a token valid for at least `minValidityMs`. A connected Room keeps
 * running when its token expires, so there is nothing to refresh afterwards. If Twilio rejects the
 * token (20101 or 20104), this tries once more with a different token: it refreshes until the JWT
 * differs from the refused one (at most 3 times, one request a second), and if none does, rejects with
 * Twilio's error; a refresh that fails rejects with the manager's `TokenError`, Twilio's error as its
 * `cause`.
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
  const { minValidityMs, ...connectOptions } = options ?? ({} as ConnectVideoOptions<Options>);
  const forward = (options === undefined ? undefined : connectOptions) as Options | undefined;
  let token = await manager.getToken({ minValidityMs: minValidityMs ?? 0 });
  // The default fits the token: a 20 s token cannot stay valid for a minute, but for 9 s it can. Half of
  // what the manager holds of a fresh one (1 s short of exp), so a round trip of up to that half still fits.
  // (`null`, a JSON config's "unset", is the default too, as it is for the first `getToken` above.)
  if (minValidityMs == null) {
    token = await manager.getToken({ minValidityMs: Math.min(60_000, (token.expiresAt - token.issuedAt - 1_000) / 2) });
  }
  try {
    return await connect(token.jwt, forward);
  } catch (error) {
    if (!isTokenRejection(error)) throw error;
    // Twilio would refuse the same bytes again: never send them twice.
    const fresh = await tokenOtherThan(manager, token.jwt).catch((failure: TokenError) => {
      // The manager's error, with Twilio's refusal, which started it all, as its cause.
      const { code } = error as { code: number };
      const message = `${failure.message} (refreshing after Twilio refused the token: ${code})`;
      throw new TokenError(failure.code, message, { ...failure, cause: error });
    });
    if (fresh === undefined) throw error;
    return connect(fresh, forward);
  }
}
