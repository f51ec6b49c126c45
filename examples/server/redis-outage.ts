import { escapeForLog } from './log-line';

/**
 * Says once that Redis went away and once that it came back, however many requests and reconnect
 * attempts fail in between: a warning per failed request would flood the log exactly when it matters.
 */
export class RedisOutage {
  #isDown = false;
  #isMuted = false;

  constructor(private readonly log: (line: string) => void) {}

  get isDown(): boolean {
    return this.#isDown;
  }

  /** Redis failed (a connection error, a closed socket, a command that timed out). */
  down(reason: string): void {
    if (this.#isDown || this.#isMuted) return;
    this.#isDown = true;
    this.log(
      `warning: Redis is unreachable (${escapeForLog(reason)}): rate limits fall back to this instance's memory, ` +
        'and session checks answer 503 until it is back',
    );
  }

  /** Redis answered again. */
  up(): void {
    if (!this.#isDown) return;
    this.#isDown = false;
    this.log('Redis is reachable again: rate limits and sessions are shared again');
  }

  /** On shutdown: closing the connection on purpose is no outage. */
  mute(): void {
    this.#isMuted = true;
  }
}
