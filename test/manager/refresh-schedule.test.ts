import { describe, expect, it } from 'vitest';
import { START, tick, useManagerHarness } from '../helpers/manager-harness';
import { tokenBackend } from '../helpers/token-backend';

// When the manager fetches the next token: the lead before expiry for each lifetime, counted from when
// the request went out, over delays longer than setTimeout holds, and around a token's `nbf`.
const { manageBackend: manage } = useManagerHarness();

describe('the refresh schedule (virtual time)', () => {
  it.each([
    [10, 2.5],
    [60, 15],
    [3600, 300],
    [86_400, 300],
  ])('refreshes a %i s token %f s before it expires, cycle after cycle', async (ttl, leadSeconds) => {
    const backend = tokenBackend({ ttlSeconds: ttl });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    expect(backend.calls.map((c) => c.reason)).toEqual(['initial']);
    for (let cycle = 1; cycle <= 3; cycle++) {
      const { token, expiresAt, nextRefreshAt } = manager.getState();
      // Never held past the token's own `exp`, whatever the rounding of a whole-second `iat`.
      expect(expiresAt).toBeLessThanOrEqual(token!.expiresAt);
      expect(expiresAt! - nextRefreshAt!).toBe(leadSeconds * 1000);
      await tick(nextRefreshAt! - Date.now() - 1);
      expect(backend.calls).toHaveLength(cycle);
      expect(manager.getState().status).toBe('valid');
      await tick(1);
      expect(backend.calls).toHaveLength(cycle + 1);
      expect(backend.calls[cycle]!.reason).toBe('scheduled');
    }
  });

  it('reports when the next refresh is planned and when the token expires', async () => {
    const manager = manage(tokenBackend({ ttlSeconds: 3600 }));
    manager.subscribe(() => undefined);
    await tick();
    expect(manager.getState()).toMatchObject({
      status: 'valid',
      // 1 s short of exp: the whole-second iat may lag the real mint by up to a second.
      nextRefreshAt: START + 55 * 60_000 - 1000,
      expiresAt: START + 3600_000 - 1000,
    });
  });

  it('counts the lifetime from when the request was sent, not when it came back', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    backend.respondWith(() => new Promise((resolve) => setTimeout(() => resolve(backend.mint({ issuedAt: START })), 5000)));
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick(5000);
    expect(manager.getState()).toMatchObject({ status: 'valid', expiresAt: START + 59_000, nextRefreshAt: START + 44_000 });
  });

  it('chains delays longer than setTimeout can hold', async () => {
    const backend = tokenBackend({ ttlSeconds: 40 * 86_400 });
    const manager = manage(backend, { refreshBeforeMs: 86_400_000 });
    manager.subscribe(() => undefined);
    await tick();
    await tick(2 ** 31);
    expect(backend.calls).toHaveLength(1);
    await tick(39 * 86_400_000 - 1000 - 2 ** 31 - 1);
    expect(backend.calls).toHaveLength(1);
    await tick(1);
    expect(backend.calls).toHaveLength(2);
  });
});

describe('a token not valid yet (nbf)', () => {
  it('keeps the current token until a new token’s nbf, then swaps', async () => {
    const backend = tokenBackend({ ttlSeconds: 60 });
    const manager = manage(backend);
    manager.subscribe(() => undefined);
    await tick();
    const first = manager.getState().token!;
    backend.respondWith(() => Promise.resolve(backend.mint({ notBefore: Date.now() + 10_000 })));
    await tick(44_000);
    expect(backend.calls).toHaveLength(2);
    await tick(9_999);
    expect(manager.getState().token).toBe(first);
    await tick(1);
    expect(manager.getState().token).not.toBe(first);
    expect(manager.getState().token!.notBefore).toBe(START + 54_000);
    expect(backend.calls).toHaveLength(2);
  });

  it('resolves refresh() with a not-yet-valid token only once its nbf arrives', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => Promise.resolve(backend.mint({ notBefore: Date.now() + 5_000 })));
    const manager = manage(backend);
    let resolved = false;
    const refreshed = manager.refresh().then((t) => ((resolved = true), t));
    manager.subscribe(() => undefined);
    await tick(4_999);
    expect(resolved).toBe(false);
    await tick(1);
    expect((await refreshed).notBefore).toBe(START + 5_000);
  });

  it('refuses a token whose nbf is 24 h ahead and serves getToken() from the next one', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => Promise.resolve(backend.mint({ ttlSeconds: 90_000, notBefore: Date.now() + 86_400_000 })));
    const manager = manage(backend);
    const first = manager.getToken();
    first.catch(() => undefined);
    await tick();
    await expect(first).rejects.toMatchObject({ code: 'invalid-token' });
    const second = manager.getToken();
    await tick(1000);
    await expect(second).resolves.toMatchObject({ notBefore: undefined });
  });
});
