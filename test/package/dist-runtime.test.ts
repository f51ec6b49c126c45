// @vitest-environment node
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTERNAL_PROPS } from '../../scripts/internal-props.mjs';
import { shortNames } from '../../scripts/mangle-props.mjs';
import { json, startTokenServer } from '../helpers/http-server';

// The built package, run: vitest runs src/, so a mistake of the build's property renaming
// (scripts/mangle-props.mjs) would go unseen anywhere else. Each path below reads or writes renamed
// fields (the request gate, the retry after Retry-After, the timeout, the halt, the cross-tab hand-over).
// Needs `npm run build` first, as the package tests do.
const require = createRequire(import.meta.url);
type Library = typeof import('../../dist/index.js');
type TestKit = typeof import('../../dist/testing.js');
const builds: Array<[string, () => Promise<[Library, TestKit]>]> = [
  ['ESM', async () => [await import('../../dist/index.js'), await import('../../dist/testing.js')]],
  ['CommonJS', async () => [require('../../dist/index.cjs') as Library, require('../../dist/testing.cjs') as TestKit]],
];

/** Waits, in real time, for what a real HTTP exchange or a lazy chunk brings; generous, never timed. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(builds)('the built package (%s), run', (_, load) => {
  let lib: Library;
  let kit: TestKit;
  beforeEach(async () => {
    [lib, kit] = await load();
  });

  describe('over HTTP, on virtual time', () => {
    let server: Awaited<ReturnType<typeof startTokenServer>>;
    let clock: InstanceType<TestKit['VirtualClock']>;
    let issued = 0;
    // Tokens minted in the same second are identical: each one a second later than the last.
    const mint = () => kit.mintTestToken({ identity: 'alice', ttlSeconds: 3600, issuedAt: clock.wall + 1000 * issued++ });

    beforeEach(async () => {
      clock = new kit.VirtualClock({ trueNow: Date.now() });
      server = await startTokenServer((request, response) => json(200, { token: mint() })(request, response));
    });
    afterEach(() => server.close());

    it('fetches, waits out Retry-After, times out, halts on 401, and stops', async () => {
      const events: Array<{ type: string; [field: string]: unknown }> = [];
      const statuses: string[] = [];
      const manager = lib.createTokenManager({ url: server.url, scheduler: clock.scheduler, timeoutMs: 5000, onEvent: (event) => events.push(event) });
      const subscription = manager.state$.subscribe((state) => statuses.push(state.status));

      const first = await manager.getToken();
      expect(first.identity).toBe('alice');
      expect(manager.getState()).toMatchObject({ status: 'valid', token: first });
      expect(manager.getState().refreshAt).toBeLessThan(manager.getState().expiresAt!);

      // A 503 with Retry-After answers refresh(). Nothing is sent for the 3 s it asks, not even for a
      // caller, not a millisecond less. (Requests are at least 1 s apart: the first goes when that second has passed.)
      server.next(json(503, { error: 'busy' }, { 'retry-after': '3' }));
      const refreshed = expect(manager.refresh()).rejects.toMatchObject({ status: 503, retryAfterMs: 3000 });
      await clock.advance(1000);
      await refreshed;
      expect(events.find((event) => event.type === 'failure')).toMatchObject({ retryAfterMs: 3000 });
      // A caller within the quiet time gets the server's answer again, and nothing is sent.
      const again = expect(manager.refresh()).rejects.toMatchObject({ status: 503 });
      await clock.advance(1000);
      await again;
      await clock.advance(2000);
      await until(() => manager.getState().status === 'valid', 'the retry\'s token');
      expect(server.requests).toHaveLength(3);
      const [, busyAt, retryAt] = events.filter((event) => event.type === 'request').map((event) => event.at as number);
      expect(retryAt! - busyAt!).toBeGreaterThanOrEqual(3000);
      const second = manager.getState().token!;

      // A server that never answers: the manager gives up after timeoutMs, then retries on its own.
      server.next(() => undefined);
      const third = expect(manager.refresh()).rejects.toMatchObject({ code: 'timeout' });
      await clock.advance(1000);
      await until(() => server.requests.length === 4, 'the hung request');
      await clock.advance(5000);
      await third;
      await clock.advance(60_000);
      await until(() => manager.getState().status === 'valid' && manager.getState().token?.jwt !== second.jwt, 'the token after the timeout');

      // A 401: refused for good, no background retry until refresh().
      server.next(json(401, { error: 'signed out' }));
      const refused = expect(manager.refresh()).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
      await clock.advance(1000);
      await refused;
      const requests = server.requests.length;
      await clock.advance(2 * 3600_000);
      expect(server.requests).toHaveLength(requests);
      expect(manager.getState().status).toBe('expired');

      manager.stop();
      expect(manager.getState().status).toBe('stopped');
      expect(statuses).toEqual(expect.arrayContaining(['fetching', 'valid', 'error', 'expired', 'stopped']));
      expect(events.at(-1)?.type).toBe('stopped');
      subscription.unsubscribe();
    });
  });

  it('shares one token between two tabs: one fetches, the other takes it; messages carry no renamed field', async () => {
    const clock = new kit.VirtualClock({ trueNow: Date.now() });
    const hub = new kit.FakeBroadcastHub();
    const locks = new kit.FakeLockManager();
    let calls = 0;
    const fetchToken = async () => {
      calls++;
      return kit.mintTestToken({ identity: 'alice', ttlSeconds: 3600, issuedAt: clock.wall });
    };
    const openTab = () => {
      const manager = lib.createTokenManager({
        fetchToken,
        scheduler: clock.scheduler,
        crossTab: { key: 'app', channel: hub.factory, locks: locks.tab(), identity: 'alice' },
        page: new kit.FakePageSignals(),
        network: new kit.FakeNetworkSignals(),
      });
      manager.subscribe(() => undefined);
      return manager;
    };
    /** Moves virtual time on in small steps, letting real I/O (the lazy chunk's loading) run between. */
    const settle = async (condition: () => boolean, what: string) => {
      for (let i = 0; i < 200 && !condition(); i++) {
        await clock.advance(100);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(condition(), what).toBe(true);
    };
    const first = openTab();
    await settle(() => first.getState().status === 'valid' && first.getState().role === 'refresher', 'the first tab refreshing for all');
    const second = openTab();
    await settle(() => second.getState().token !== undefined, 'the second tab holding a token');
    expect(calls).toBe(1);
    expect(second.getState().token?.jwt).toBe(first.getState().token?.jwt);
    expect(new Set([first.getState().role, second.getState().role])).toEqual(new Set(['refresher', 'follower']));

    // What crossed between the tabs: none of the renamed fields, under either name.
    const renamed = [...INTERNAL_PROPS, ...shortNames().values()];
    const keys = (value: unknown): string[] =>
      value && typeof value === 'object' ? Object.entries(value).flatMap(([key, inner]) => [key, ...keys(inner)]) : [];
    expect(hub.posted.length).toBeGreaterThan(0);
    expect(hub.posted.flatMap(keys).filter((key) => renamed.includes(key))).toEqual([]);
    first.stop();
    second.stop();
  });

  it('hands each new token to an SDK client (attachConversations on the fake client)', async () => {
    let issuedAt = Date.now();
    const manager = lib.createTokenManager({ fetchToken: async () => kit.mintTestToken({ identity: 'alice', ttlSeconds: 60, issuedAt: (issuedAt += 1000) }) });
    const client = new kit.FakeConversationsClient((await manager.getToken()).jwt);
    const detach = lib.attachConversations(manager, client);
    const next = await manager.refresh();
    expect(client.updateTokenCalls).toEqual([next.jwt]);
    detach();
    expect(client.listenerCount('tokenAboutToExpire')).toBe(0);
    manager.stop();
  });
});
