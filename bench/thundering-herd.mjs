// 10,000 managers on virtual time; the backend is down for 5 minutes, then back. How bunched is the
// recovery, with our full-jitter backoff and with the same backoff without jitter?
import { TokenError, createTokenManager } from '../dist/index.js';
import { mintTestToken } from '../dist/testing.js';
import { MINUTE, installClock } from './virtual-clock.mjs';

async function simulate(managers, random) {
  const clock = installClock();
  const start = Date.now();
  const backUpAt = start + 5 * MINUTE;
  const successes = new Map(); // second after recovery → successful requests
  let requests = 0;
  let minted;
  const fetchToken = async () => {
    requests++;
    const now = Date.now();
    if (now < backUpAt) throw new TokenError('network', 'Token request failed: backend down');
    const second = Math.floor((now - backUpAt) / 1000);
    successes.set(second, (successes.get(second) ?? 0) + 1);
    // One token per virtual second, shared: signing is not what this measures.
    if (minted?.second !== second) minted = { second, jwt: mintTestToken({ ttlSeconds: 3600, issuedAt: now }) };
    return minted.jwt;
  };
  const all = Array.from({ length: managers }, () => createTokenManager({ fetchToken, random }));
  for (const manager of all) manager.subscribe(() => undefined);
  while (Date.now() < backUpAt + 10 * MINUTE && [...successes.values()].reduce((a, b) => a + b, 0) < managers) {
    await clock.tickAsync(1000);
  }
  for (const manager of all) manager.stop();
  clock.uninstall();
  const seconds = [...successes.keys()];
  const recovered = [...successes.values()].reduce((a, b) => a + b, 0);
  return {
    peak: Math.max(...successes.values()),
    spread: Math.max(...seconds) - Math.min(...seconds) + 1,
    recovered,
    requestsWhileDown: requests - recovered,
  };
}

export async function thunderingHerd(managers = 10_000) {
  const jitter = await simulate(managers, Math.random);
  const none = await simulate(managers, () => 1); // the same exponential backoff, every client at its ceiling
  const row = (name, r) => ({
    backoff: name,
    'managers recovered': r.recovered,
    'peak requests in one second': r.peak,
    'recovery spread (s)': r.spread,
    'failed requests while down': r.requestsWhileDown,
  });
  return {
    rows: [row('full jitter (ours)', jitter), row('no jitter (baseline)', none)],
    ratio: none.peak / jitter.peak,
    spread: jitter.spread,
  };
}
