// How a twilsock adapter paces its recovery after an expiry: pure rules, no timers (attach-client
// carries them out).

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
 * The wait after the `rounds`-th attempt of a recovery (0: none yet, so the first comes at once): 1, 2,
 * 4 … 30 s. The rounds start over at 0 only once a client has stayed connected through a whole wait: a
 * server that accepts each token and closes with 410 a moment later would otherwise get a request a
 * second forever.
 */
export const recoveryDelay = (rounds: number): number =>
  rounds && Math.min(FIRST_RECOVERY_DELAY_MS * 2 ** (rounds - 1), MAX_RECOVERY_DELAY_MS);
