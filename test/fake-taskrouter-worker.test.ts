// The test kit's TaskRouter Worker with the real adapter and manager, on virtual time: the same
// behaviour test/taskrouter.test.ts proves against the real `twilio-taskrouter` Worker, in milliseconds.
import { afterEach, describe, expect, it } from 'vitest';
import { attachTaskRouter, createTokenManager, type TokenManager } from 'twilio-token-lifecycle';
import { FakeTaskRouterWorker, mintTestToken, VirtualClock } from 'twilio-token-lifecycle/testing';

const TTL_SECONDS = 60;
let manager: TokenManager | undefined;
afterEach(() => manager?.stop());

async function setup() {
  const clock = new VirtualClock();
  const fetched: string[] = [];
  manager = createTokenManager({
    fetchToken: async () => {
      const jwt = mintTestToken({ issuedAt: clock.trueNow, ttlSeconds: TTL_SECONDS, identity: 'alice' });
      fetched.push(jwt);
      return jwt;
    },
    refreshBeforeMs: 20_000,
    scheduler: clock.scheduler,
  });
  const first = manager.getToken();
  await clock.advance(0);
  const worker = new FakeTaskRouterWorker((await first).jwt);
  const detach = attachTaskRouter(manager, worker);
  return { clock, manager, worker, fetched, detach };
}

describe('FakeTaskRouterWorker with attachTaskRouter', () => {
  it('is handed each refreshed token once, and reconnects with it after a drop', async () => {
    const { clock, worker, fetched } = await setup();
    await clock.advance(3 * 40_000 + 1_000);
    expect(worker.updateTokenCalls).toEqual(fetched.slice(1));
    expect(worker.updateTokenCalls).toHaveLength(3);
    worker.dropConnection();
    expect(worker.connections.at(-1)).toBe(fetched.at(-1));
  });

  it('does nothing on tokenExpired while its token is fresh, but re-hands that token when the socket then drops', async () => {
    const { clock, worker, fetched } = await setup();
    await clock.advance(1_000);
    worker.expireToken();
    await clock.advance(1_000);
    expect(worker.updateTokenCalls).toEqual([]);
    worker.dropConnection();
    expect(worker.isConnected).toBe(false); // its reconnects are off
    await clock.advance(0);
    expect(worker.updateTokenCalls).toEqual([fetched[0]]);
    expect(worker.isConnected).toBe(true);
    expect(fetched).toHaveLength(1);
  });

  it('takes a tokenExpired after the refresh as a hint already answered: no request', async () => {
    const { clock, worker, fetched } = await setup();
    await clock.advance(30_000); // outside the refresh window (20 s before expiry)
    expect(fetched).toHaveLength(1);
    await clock.advance(15_000); // inside it: the manager refreshes by itself and hands the token
    expect(fetched).toHaveLength(2);
    expect(worker.updateTokenCalls).toEqual([fetched[1]]);
    worker.expireToken();
    await clock.advance(0);
    expect(fetched).toHaveLength(2); // the Worker's warning found a fresh token
    expect(worker.updateTokenCalls).toEqual([fetched[1]]);
  });

  it('leaves a Worker the app disconnected alone', async () => {
    const { clock, worker, detach } = await setup();
    detach();
    worker.expireToken();
    worker.disconnect();
    await clock.advance(2 * 60_000);
    expect(worker.updateTokenCalls).toEqual([]);
    expect(worker.connections).toHaveLength(1);
  });

  it('reports a failing updateToken as an error event while someone listens, and throws otherwise', () => {
    const worker = new FakeTaskRouterWorker(mintTestToken());
    worker.updateTokenBehaviour = 'throw';
    expect(() => worker.updateToken('next')).toThrow(/Failed to update/);
    const errors: unknown[] = [];
    worker.on('error', (error) => errors.push(error));
    worker.updateToken('next');
    expect(errors).toHaveLength(1);
    expect(worker.token).not.toBe('next');
  });
});
