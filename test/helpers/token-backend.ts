import type { FetchTokenContext } from 'twilio-token-lifecycle';
import { mintTestToken, type MintTestTokenOptions } from 'twilio-token-lifecycle/testing';

type Responder = (context: FetchTokenContext) => Promise<string | { token: string }>;

/**
 * A `fetchToken` double for virtual-time tests: mints a real token per call on the (faked) clock,
 * shifted by `serverClockOffsetMs` to play a server whose clock differs from the client's.
 */
export function tokenBackend(options: { ttlSeconds?: number; serverClockOffsetMs?: number; mint?: MintTestTokenOptions } = {}) {
  const calls: FetchTokenContext[] = [];
  const mint = (extra: MintTestTokenOptions = {}) =>
    mintTestToken({
      ttlSeconds: options.ttlSeconds ?? 3600,
      issuedAt: Date.now() + (options.serverClockOffsetMs ?? 0),
      ...options.mint,
      ...extra,
    });
  const queue: Responder[] = [];
  const backend = {
    calls,
    mint,
    /** The next calls answer with these, in order; later calls mint normally again. */
    respondWith(...responders: Responder[]) {
      queue.push(...responders);
    },
    fetchToken: (context: FetchTokenContext): Promise<string | { token: string }> => {
      calls.push(context);
      const next = queue.shift();
      return next ? next(context) : Promise.resolve(mint());
    },
  };
  return backend;
}

/** A responder that never settles until the request's signal aborts. */
export const hang: Responder = ({ signal }) =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
