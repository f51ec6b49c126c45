import { describe, expect, it } from 'vitest';
import { tick, useManagerHarness, WITHOUT_SIGNALS } from '../helpers/manager-harness';
import { tokenBackend } from '../helpers/token-backend';

// What getToken() and refresh() answer their callers: one shared request, the held token while it is
// valid for minValidityMs, a fresh one on refresh(), and an abort signal honoured.
const { manageBackend: manage, withDefaults } = useManagerHarness();

describe('getToken() and refresh()', () => {
  it('shares one request among 1,000 concurrent getToken calls', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => new Promise((resolve) => setTimeout(() => resolve(backend.mint()), 100)));
    const manager = manage(backend);
    const all = Promise.all(Array.from({ length: 1000 }, () => manager.getToken()));
    const refreshes = Promise.all([manager.refresh(), manager.refresh()]);
    await tick(100);
    const tokens = await all;
    await refreshes;
    expect(backend.calls).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.jwt)).size).toBe(1);
  });

  it('answers getToken from the held token while it is valid long enough', async () => {
    const backend = tokenBackend({ ttlSeconds: 3600 });
    const manager = manage(backend);
    const first = await manager.getToken();
    await tick(50 * 60_000);
    expect(await manager.getToken({ minValidityMs: 5 * 60_000 })).toBe(first);
    expect(backend.calls).toHaveLength(1);
    const second = await manager.getToken({ minValidityMs: 11 * 60_000 });
    expect(second).not.toBe(first);
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'demand']);
  });

  it('refresh() fetches now even with a valid token', async () => {
    const backend = tokenBackend();
    const manager = manage(backend);
    await manager.getToken();
    await tick(1000);
    const token = await manager.refresh();
    expect(backend.calls.map((c) => c.reason)).toEqual(['demand', 'refresh']);
    expect(manager.getState().token).toBe(token);
  });

  it('rejects a minValidityMs no fresh token can meet, saying so', async () => {
    const manager = manage(tokenBackend({ ttlSeconds: 60 }));
    await expect(manager.getToken({ minValidityMs: 120_000 })).rejects.toThrow(/minValidityMs = 120000 ms: a fresh one lasts 60 s/);
  });
});

describe('abort signals', () => {
  it('stops waiting when the getToken signal aborts, leaving the shared request for others', async () => {
    const backend = tokenBackend();
    backend.respondWith(() => new Promise((resolve) => setTimeout(() => resolve(backend.mint()), 1000)));
    const manager = manage(backend);
    const controller = new AbortController();
    const abandoned = manager.getToken({ signal: controller.signal });
    const other = manager.getToken();
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ code: 'aborted' });
    await tick(1000);
    await expect(other).resolves.toMatchObject({ identity: 'alice' });
  });

  it('rejects a getToken() whose signal is already aborted, without a request', async () => {
    const backend = tokenBackend();
    const manager = manage(backend);
    await expect(manager.getToken({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
    await tick(5000);
    expect(backend.calls).toHaveLength(0);
  });
});

describe('bad arguments', () => {
  // As the adversarial review ran them: no page or network signals.
  const { manage } = withDefaults(WITHOUT_SIGNALS);

  it('rejects getToken(null) instead of throwing', async () => {
    const manager = manage({ fetchToken: tokenBackend().fetchToken });
    await expect(manager.getToken(null as never)).resolves.toMatchObject({ identity: 'alice' });
  });
});
