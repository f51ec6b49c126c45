import { afterEach, describe, expect, it } from 'vitest';
import { attachConversations, createTokenManager, type Detach, type TokenManager } from 'twilio-token-lifecycle';
import { FakeConversationsClient, mintTestToken } from 'twilio-token-lifecycle/testing';
import { MAX_RECOVERY_DELAY_MS, MAX_RECOVERY_ROUNDS, recoveryDelay } from '../src/adapters/recovery';
import { VirtualClock } from './helpers/virtual-clock';

describe('recoveryDelay', () => {
  it.each([
    // attempts so far, wait before the next (ms)
    [0, 0], // none yet: the first attempt comes at once
    [1, 1_000], // first attempt failed: wait one second (the manager's gate, the helper's same-second bytes)
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 16_000],
    [6, 30_000], // capped
    [MAX_RECOVERY_ROUNDS, 30_000],
    [1_000, MAX_RECOVERY_DELAY_MS], // never above the cap, however many rounds came before
  ])('after %i attempts, waits %i ms', (rounds, wait) => {
    expect(recoveryDelay(rounds)).toBe(wait);
  });
});

// Real timers: only the virtual clock moves. A recovery timed with setTimeout would not fire at all here.
describe('a twilsock adapter’s recovery on the manager’s scheduler', () => {
  let manager: TokenManager | undefined;
  let detach: Detach | undefined;
  afterEach(() => {
    detach?.();
    manager?.stop();
  });

  it('paces its forced refreshes by the virtual clock, 0, 1, 3, 7 … s, and forces none after detach()', async () => {
    const clock = new VirtualClock();
    const requests: number[] = []; // virtual ms since the client was denied
    let deniedAt = 0;
    manager = createTokenManager({
      fetchToken: () => {
        requests.push(clock.mono - deniedAt);
        return Promise.resolve(mintTestToken({ ttlSeconds: 3600, issuedAt: clock.trueNow }));
      },
      scheduler: clock.scheduler,
      random: () => 0.5,
      page: false,
      network: false,
    });
    const first = manager.getToken();
    await clock.advance(0);
    const client = new FakeConversationsClient((await first).jwt);
    detach = attachConversations(manager, client);
    await clock.advance(1_000);
    const managerTimers = clock.pendingSchedulerTimers;
    requests.length = 0;

    // Refused for good: every token is taken, and the client stays denied.
    deniedAt = clock.mono;
    client.emit('connectionStateChanged', 'denied');
    await clock.advance(0);
    expect(requests).toEqual([0]);
    // The next attempt waits on the manager's scheduler, one second of virtual time.
    expect(clock.pendingSchedulerTimers).toBe(managerTimers + 1);
    await clock.advance(999);
    expect(requests).toEqual([0]);
    await clock.advance(1);
    expect(requests).toEqual([0, 1_000]);
    await clock.advance(200_000);
    expect(requests).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000, 61_000, 91_000, 121_000, 151_000]);

    // Connected again: the backoff starts over only after a whole wait (30 s) connected.
    client.emit('connectionStateChanged', 'connected');
    await clock.advance(30_000);
    deniedAt = clock.mono;
    requests.length = 0;
    client.emit('connectionStateChanged', 'denied');
    await clock.advance(3_000);
    expect(requests).toEqual([0, 1_000, 3_000]);
    detach();
    await clock.advance(60_000);
    expect(requests).toEqual([0, 1_000, 3_000]);
  });

  it('times the update-failed check on it too: 50 ms of virtual time for the client to connect with the token', async () => {
    const clock = new VirtualClock();
    manager = createTokenManager({
      fetchToken: () => Promise.resolve(mintTestToken({ ttlSeconds: 3600, issuedAt: clock.trueNow })),
      scheduler: clock.scheduler,
      page: false,
      network: false,
    });
    const first = manager.getToken();
    await clock.advance(0);
    const client = new FakeConversationsClient((await first).jwt);
    const errors: string[] = [];
    detach = attachConversations(manager, client, { onError: (error) => errors.push(error.code) });
    await clock.advance(1_000);
    client.emit('connectionStateChanged', 'connecting');
    client.updateTokenBehaviour = 'reject';
    void manager.refresh();
    await clock.advance(49);
    client.emit('connectionStateChanged', 'connected'); // connected with it after all: no error
    await clock.advance(1_000);
    expect(errors).toEqual([]);
    client.emit('connectionStateChanged', 'connecting');
    void manager.refresh();
    await clock.advance(49);
    expect(errors).toEqual([]); // judged 50 ms after the rejection, on the virtual clock
    await clock.advance(1);
    expect(errors).toEqual(['update-failed']);
  });
});
