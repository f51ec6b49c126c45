// How a twilsock adapter paces its recovery after an expiry: pure rules, no timers (attach-client
// carries them out on the manager's scheduler).

/**
 * The first wait after a failed attempt. The manager sends one request a second at most, and Twilio's
 * helper mints byte-identical tokens within one second: a retry sooner would get the refused bytes.
 */
const FIRST_RECOVERY_DELAY_MS = 1_000;

/** The longest wait between two recovery attempts. */
export const MAX_RECOVERY_DELAY_MS = 30_000;

/**
 * Forced refreshes in one recovery (about 2½ minutes of attempts: 0, 1, 3, 7 … 151 s). Past them the client gets only the
 * manager's own new tokens, on its schedule and backoff: a client that can never connect (another
 * identity's, say) must not cost a request every 30 s forever.
 */
export const MAX_RECOVERY_ROUNDS = 10;

/**
 * The wait after an attempt that followed a wait of `previous` ms (0: the first attempt): 1, 2, 4 … 30 s.
 * It starts over at 0 only once a client has stayed connected through a whole wait: a server that
 * accepts each token and closes with 410 a moment later would otherwise get a request a second forever.
 */
export const nextRecoveryDelay = (previous: number): number =>
  Math.min(2 * previous || FIRST_RECOVERY_DELAY_MS, MAX_RECOVERY_DELAY_MS);

/** Where a client's recovery stands. */
export interface Recovery {
  /** Set by an expiry (a 410 close, a refused token); cleared when the client connects or no token can come. */
  readonly isLost: boolean;
  /** The wait before the next attempt: 0 for a fresh backoff. */
  readonly delayMs: number;
  /** Forced refreshes so far; past {@link MAX_RECOVERY_ROUNDS} none is forced. */
  readonly rounds: number;
}

/** A client that has lost nothing, with a fresh backoff. */
export const NO_RECOVERY: Recovery = { isLost: false, delayMs: 0, rounds: 0 };

/** Lost (an expiry) or not (connected, or no token will come); the backoff stays where it was. */
export const markLost = (recovery: Recovery, isLost: boolean): Recovery => ({ ...recovery, isLost });

/** What one attempt does: the next recovery, whether to force a refresh, and when to try again. */
export interface RecoveryStep {
  readonly recovery: Recovery;
  readonly refresh: boolean;
  /** The wait before the next attempt; `undefined`: none is planned. */
  readonly retryInMs?: number;
}

/**
 * One attempt, when its wait is over or the client leaves a state. `state` is the client's connection
 * state; `followsState` says whether the client reports one at all (one that does not gets one forced
 * refresh per expiry, with nothing to tell whether it worked).
 */
export function attemptRecovery(recovery: Recovery, state: string | undefined, followsState: boolean): RecoveryStep {
  // Connected through a whole wait (`connected` restarts it): the next expiry starts a fresh backoff.
  const current = state === 'connected' && !recovery.isLost ? NO_RECOVERY : recovery;
  // Disconnecting: the token would be dropped; leaving that state attempts again.
  // Past its last round a recovery waits for the manager's own next token.
  if (!current.isLost || state === 'disconnecting' || current.rounds >= MAX_RECOVERY_ROUNDS) return { recovery: current, refresh: false };
  const rounds = current.rounds + 1;
  if (!followsState) return { recovery: { ...current, isLost: false, rounds }, refresh: true };
  const delayMs = nextRecoveryDelay(current.delayMs);
  return { recovery: { isLost: true, delayMs, rounds }, refresh: true, retryInMs: delayMs };
}
