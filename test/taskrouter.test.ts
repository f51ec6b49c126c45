// @vitest-environment node
// (the Worker picks its WebSocket at import: `ws` in Node, not happy-dom's, which cannot reach a server)
//
// The real `twilio-taskrouter` 2.x Worker against a fake event bridge on 127.0.0.1
// (test/sdk/taskrouter-event-bridge.ts): its `ebServer` and `wsServer` options point it at loopback,
// and every TCP connection the process opens is recorded to prove it dials nothing else.
// Real time, short TTLs: a 12 s token with `refreshBeforeMs: 6000` is refreshed every ~6 s, and the
// Worker's `tokenExpired` timer fires 5 s before the lifetime the bridge reports at connect.
import { Subscription, type SchedulerAction } from 'rxjs';
import { Worker } from 'twilio-taskrouter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  attachTaskRouter,
  createTokenManager,
  parseAccessToken,
  type Detach,
  type FetchReason,
  type TokenError,
  type TokenManager,
  type TokenScheduler,
} from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
import { recordDials } from './sdk/taskrouter-dials';
import { startEventBridge, WORKER_SID, WORKSPACE_SID, type EventBridgeOptions } from './sdk/taskrouter-event-bridge';

const TASK_ROUTER = { task_router: { workspace_sid: WORKSPACE_SID, worker_sid: WORKER_SID, role: 'worker' } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** The manager's long timers (its refresh schedule) fire `lateMs` late, as in a throttled tab. */
const lateLongTimers = (lateMs: number): TokenScheduler => ({
  now: () => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T) {
    const handle = setTimeout(() => work.call(action as SchedulerAction<T>, state), delay >= 1_000 ? delay + lateMs : delay);
    const action = new Subscription(() => clearTimeout(handle));
    return action;
  },
});

const dials: string[] = [];
let stopRecording: () => void;
let cleanups: (() => unknown)[] = [];
beforeEach(() => {
  dials.length = 0;
  stopRecording = recordDials(dials);
});
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
  stopRecording();
  expect(dials.length).toBeGreaterThan(0);
  expect(dials.filter((host) => host !== '127.0.0.1')).toEqual([]);
});

interface Setup {
  ttlSeconds?: number;
  identity?: string;
  /** The manager's scheduler. @default real timers */
  scheduler?: TokenScheduler;
  bridge?: EventBridgeOptions;
  /** Mint the Worker's first token apart from the manager (another identity's, say). */
  workerToken?: string;
}

async function setup(options: Setup = {}) {
  const bridge = await startEventBridge(options.bridge);
  cleanups.push(() => bridge.close());
  const fetches: { reason: FetchReason; at: number; jwt: string }[] = [];
  const manager: TokenManager = createTokenManager({
    fetchToken: async ({ reason }) => {
      const jwt = mintTestToken({ ttlSeconds: options.ttlSeconds ?? 12, identity: options.identity ?? 'alice', grants: TASK_ROUTER });
      fetches.push({ reason, at: Date.now(), jwt });
      return jwt;
    },
    refreshBeforeMs: 6_000,
    ...(options.scheduler && { scheduler: options.scheduler }),
  });
  cleanups.push(() => manager.stop());
  const first = options.workerToken ?? (await manager.getToken()).jwt;
  const worker = new Worker(first, { ...bridge.workerOptions, logLevel: 'error' });
  cleanups.push(() => worker.disconnect());
  const workerErrors: Error[] = [];
  const expiredAt: number[] = [];
  let readies = 0;
  worker.on('ready', () => readies++);
  worker.on('error', (error) => workerErrors.push(error));
  worker.on('tokenExpired', () => expiredAt.push(Date.now()));
  const handed = vi.spyOn(worker, 'updateToken');
  await new Promise((resolve) => worker.once('ready', resolve));
  const errors: TokenError[] = [];
  const detach: Detach = attachTaskRouter(manager, worker, {
    onError: (error) => errors.push(error),
    ...(options.workerToken !== undefined && { createdWith: options.workerToken }),
  });
  cleanups.push(detach);
  const handedTokens = () => handed.mock.calls.map(([jwt]) => jwt);
  // Each socket the bridge accepted has initialized the Worker again (its REST calls are done).
  const isSettled = () => readies === bridge.uses.filter((use) => use.via === 'websocket' && !use.refused).length;
  return { bridge, manager, worker, fetches, handedTokens, errors, workerErrors, expiredAt, detach, first, isSettled };
}

describe('attachTaskRouter with the real twilio-taskrouter Worker', () => {
  it('hands each new token to the Worker once, and the Worker never uses an expired one on the wire (3 cycles)', async () => {
    const { bridge, fetches, handedTokens, errors, workerErrors, first, isSettled } = await setup();
    await until(() => handedTokens().length >= 3, 60_000, 'three refreshes');
    // The bridge closes each socket when its token expires; the Worker reopens it with the one it holds.
    await until(() => new Set(bridge.uses.filter((use) => use.via === 'websocket').map((use) => use.jwt)).size >= 2, 40_000, 'a reconnect with a new token');
    await until(isSettled, 30_000, 'the Worker ready after each connection');

    const handed = handedTokens();
    expect(new Set(handed).size).toBe(handed.length);
    expect(handed).not.toContain(first);
    expect(fetches.map((fetch) => fetch.jwt).slice(1, handed.length + 1)).toEqual(handed);
    expect(bridge.uses.filter((use) => use.refused)).toEqual([]);
    expect(parseAccessToken(handed.at(-1)!).expiresAt).toBeGreaterThan(Date.now());
    expect(errors).toEqual([]);
    expect(workerErrors).toEqual([]);
  }, 120_000);

  it('answers tokenExpired inside the refresh window with a fresh token, and the Worker reconnects with it', async () => {
    // The manager's own refresh comes ten minutes late, so only the Worker's warning can save the session.
    const { bridge, fetches, handedTokens, expiredAt, errors, isSettled } = await setup({ scheduler: lateLongTimers(600_000) });
    await until(() => expiredAt.length > 0, 40_000, 'tokenExpired');
    await until(() => handedTokens().length > 0, 20_000, 'a token handed after tokenExpired');

    // The manager had not refreshed before the warning (its token was inside its window); it did after.
    // (The fetch says `scheduled`: the hint's look at the manager's state finds its schedule overdue.)
    expect(fetches).toHaveLength(2);
    expect(fetches[1]!.at).toBeGreaterThanOrEqual(expiredAt[0]!);
    const [fresh] = handedTokens();
    expect(fresh).toBe(fetches[1]!.jwt);
    // At expiry the bridge closes the socket; the Worker, holding the fresh token, comes back with it.
    await until(() => bridge.uses.some((use) => use.via === 'websocket' && use.jwt === fresh), 40_000, 'a reconnect');
    await until(() => bridge.openSockets === 1 && isSettled(), 30_000, 'the Worker ready again');
    expect(bridge.uses.filter((use) => use.refused)).toEqual([]);
    expect(handedTokens()).toEqual([fresh]);
    expect(errors).toEqual([]);
  }, 120_000);

  it('does nothing on a tokenExpired while the held token is still fresh', async () => {
    // The bridge reports 6 s of lifetime for a 10 min token: the Worker warns after 1 s, with minutes left
    // (and the manager's own refresh, at 9 min 54 s, cannot come however slow the machine is).
    const { fetches, handedTokens, expiredAt } = await setup({ ttlSeconds: 600, bridge: { reportedLifetimeMs: () => 6_000 } });
    await until(() => expiredAt.length > 0, 30_000, 'tokenExpired');
    await sleep(1_500);
    expect(fetches).toHaveLength(1);
    expect(handedTokens()).toEqual([]);
  }, 120_000);

  it('reconnects a Worker whose socket closes after a stale tokenExpired, handing it its own fresh token again', async () => {
    // The Worker's tokenExpired turns its reconnects off until updateToken, even while its token is fresh;
    // updateToken has no equality check, so the token it holds, handed again, reconnects it: no request.
    // Only the first connection reports 6 s: a later warning would turn its reconnects off again, and a
    // slow machine could then drop it after that warning.
    let connects = 0;
    const reportedLifetimeMs = (remainingMs: number) => (connects++ === 0 ? 6_000 : remainingMs);
    const { bridge, fetches, handedTokens, expiredAt, first, isSettled } = await setup({ ttlSeconds: 600, bridge: { reportedLifetimeMs } });
    await until(() => expiredAt.length > 0, 30_000, 'tokenExpired');
    const connections = () => bridge.uses.filter((use) => use.via === 'websocket');
    bridge.drop();
    await until(() => connections().length === 2 && isSettled(), 30_000, 'a reconnect');

    expect(fetches).toHaveLength(1);
    expect(handedTokens()).toEqual([first]);
    expect(connections()[1]).toMatchObject({ jwt: first });

    // With the token handed again its reconnects are on: the next drop it handles alone.
    bridge.drop();
    await until(() => connections().length === 3 && isSettled(), 30_000, 'its own reconnect');
    expect(connections()[2]).toMatchObject({ jwt: first });
    await sleep(1_500); // a request it should not make would wait up to 1 s for the manager's gate
    expect(fetches).toHaveLength(1);
    expect(handedTokens()).toEqual([first]);
    expect(bridge.uses.filter((use) => use.refused)).toEqual([]);
  }, 120_000);

  it('leaves alone a Worker the app disconnected, and one that reconnects by itself', async () => {
    const { bridge, worker, fetches, handedTokens, isSettled } = await setup({ ttlSeconds: 600 });
    // No tokenExpired yet: the Worker reconnects on its own, with the token it holds.
    bridge.drop();
    await until(() => bridge.uses.filter((use) => use.via === 'websocket').length === 2 && isSettled(), 30_000, 'its own reconnect');
    worker.emit('tokenExpired'); // its warning, stale: reconnects off
    worker.disconnect();
    await sleep(1_500);
    expect(fetches).toHaveLength(1);
    expect(handedTokens()).toEqual([]);
    expect(bridge.openSockets).toBe(0);
  }, 120_000);

  it('never hands a token for another identity to the Worker', async () => {
    const aliceToken = mintTestToken({ ttlSeconds: 30, identity: 'alice', grants: TASK_ROUTER });
    // The manager serves bob, the Worker was created for alice.
    const { manager, bridge, handedTokens, errors } = await setup({ identity: 'bob', workerToken: aliceToken });
    await manager.getToken();
    await sleep(1_000); // the next request may go out a second after the last
    await manager.refresh();

    expect(handedTokens()).toEqual([]);
    expect(errors.map((error) => error.code)).toContain('identity-mismatch');
    expect(bridge.uses.every((use) => parseAccessToken(use.jwt).identity === 'alice')).toBe(true);
  }, 120_000);

  it('reports an updateToken the Worker failed as update-failed, though the app listens for error', async () => {
    const { manager, worker, errors, workerErrors } = await setup();
    // The Worker catches what fails inside updateToken (here an app's tokenUpdated listener) and emits it as `error`.
    worker.once('tokenUpdated', () => {
      throw new Error('listener failed');
    });
    await sleep(1_000);
    await manager.refresh();

    expect(workerErrors.map((error) => error.message)).toEqual(['listener failed']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'update-failed', cause: workerErrors[0] });
  }, 120_000);

  it('removes its listeners on detach, and hands nothing after it', async () => {
    const { manager, worker, detach, handedTokens } = await setup();
    const counts = () => (['tokenExpired', 'disconnected', 'error'] as const).map((event) => worker.listenerCount(event));
    // setup() added one `tokenExpired` and one `error` listener of its own.
    expect(counts()).toEqual([3, 1, 1]);
    detach();
    expect(counts()).toEqual([1, 0, 1]);
    await sleep(1_000);
    await manager.refresh();
    worker.emit('tokenExpired');
    await sleep(100);
    expect(handedTokens()).toEqual([]);
  }, 120_000);
});
