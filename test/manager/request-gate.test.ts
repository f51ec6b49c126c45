import { describe, expect, it } from 'vitest';
import { TokenError } from 'twilio-token-lifecycle';
import { START, tick, useManagerHarness, WITHOUT_SIGNALS } from '../helpers/manager-harness';
import { tokenBackend } from '../helpers/token-backend';

// One gate decides every request, whoever asks: at most one a second, none inside a Retry-After.
const { manageBackend: manage, withDefaults } = useManagerHarness();

describe('one gate for every request', () => {
  it('sends at most one request per second even for tokens shorter than that', async () => {
    // 2 s tokens (held 1 s: a whole-second iat may lag the mint by up to a second).
    const backend = tokenBackend({ ttlSeconds: 2 });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick(10_000);
    expect(backend.calls.length).toBeGreaterThanOrEqual(10);
    expect(backend.calls.length).toBeLessThanOrEqual(11);
  });

  it('sends nothing inside a Retry-After, and turns callers down with retryAt', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage(backend);
    await manager.getToken();
    await tick(1000);
    backend.respondWith(() => Promise.reject(new TokenError('http', '429', { status: 429, retryAfterMs: 120_000 })));
    await manager.refresh().catch(() => undefined);
    const calls = Array.from({ length: 11 }, () => manager.getToken({ minValidityMs: 59_500 }));
    for (const call of calls) call.catch(() => undefined);
    await tick(2000);
    expect(backend.calls).toHaveLength(2);
    for (const call of calls) await expect(call).rejects.toMatchObject({ status: 429, retryAt: START + 1000 + 120_000 });
    await tick(118_000);
    expect(backend.calls).toHaveLength(2);
  });

  it('sends at most one request a second to a listener that refreshes on every valid state', async () => {
    const backend = tokenBackend();
    const manager = manage(backend);
    manager.subscribe((state) => {
      if (state.status === 'valid') manager.refresh().catch(() => undefined);
    });
    await tick(10_000);
    expect(backend.calls.length).toBeGreaterThanOrEqual(9);
    expect(backend.calls.length).toBeLessThanOrEqual(11);
  });

  it('keeps the one-request-a-second gate with a jitter source that answers NaN', async () => {
    const backend = tokenBackend();
    backend.respondWith(...Array.from({ length: 100 }, () => () => Promise.reject(new TypeError('down'))));
    const manager = manage(backend, { random: () => Number.NaN });
    manager.subscribe(() => undefined);
    await tick(10_000);
    expect(backend.calls.length).toBeGreaterThan(1);
    expect(backend.calls.length).toBeLessThanOrEqual(11);
  });

  it.each([
    ['in the last second of the held token', 1000, 1500],
    ['in the last second of a fresh token’s lifetime (no token can meet it)', 3_599_500, 0],
    ['that only a token fetched this very moment meets', 3_599_000, 0],
  ])('sends at most one request a second to a caller looping on getToken() with minValidityMs %s', async (_, minValidityMs, leftMs) => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = manage(backend);
    await manager.getToken();
    await tick(manager.getState().expiresAt! - Date.now() - leftMs);
    const before = backend.calls.length;
    // Callers who ask at the same moment share one request.
    const together = Array.from({ length: 50 }, () => manager.getToken({ minValidityMs }).catch(() => undefined));
    // One caller in a loop: the next call 1 ms after the last one settled, for 10 s.
    let calls = 0;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      calls += 1;
      let isSettled = false;
      void manager.getToken({ minValidityMs }).catch(() => undefined).then(() => (isSettled = true));
      while (!isSettled) await tick(1);
    }
    await Promise.all(together);
    expect(calls).toBeGreaterThan(10);
    expect(backend.calls.length - before).toBeLessThanOrEqual(11);
  });
});

describe('a Retry-After that is not a number', () => {
  // As the adversarial review ran them: no page or network signals.
  const { manage } = withDefaults(WITHOUT_SIGNALS);

  it('keeps the request gate when a transport reports Retry-After as NaN', async () => {
    let calls = 0;
    const manager = manage({
      fetchToken: () =>
        ++calls > 50 ? new Promise(() => undefined) : Promise.reject(new TokenError('http', '503', { status: 503, retryAfterMs: Number.NaN })),
    });
    manager.subscribe(() => undefined);
    await tick(2000);
    expect(calls).toBeLessThanOrEqual(3);
  });
});
