import type { FetchTokenContext } from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';

/**
 * A `fetchToken` for the React tests that mints for whoever is signed in now (`backend.user`), each
 * token a second after the last so that no two are alike; `answer` overrides the next calls.
 */
export function userBackend(ttlSeconds = 600) {
  let issuedAt = Date.now();
  const backend = {
    user: 'alice',
    calls: [] as string[],
    answer: [] as Array<() => Promise<string>>,
    fetchToken: (_context: FetchTokenContext): Promise<string> => {
      backend.calls.push(backend.user);
      const next = backend.answer.shift();
      if (next) return next();
      issuedAt = Math.max(issuedAt + 1000, Date.now());
      return Promise.resolve(mintTestToken({ identity: backend.user, ttlSeconds, issuedAt }));
    },
  };
  return backend;
}
