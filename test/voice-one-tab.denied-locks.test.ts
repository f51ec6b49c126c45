// attachVoice({ register: 'one-tab' }) where Web Locks refuse every request, as in a sandboxed iframe
// (found by an adversarial review: no tab ever registered, and nothing said why).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachVoice, createTokenManager, type CallElsewhere, type Detach, type TokenManager } from 'twilio-token-lifecycle';
import { FakeBroadcastHub, FakeLockManager, FakeVoiceDevice } from 'twilio-token-lifecycle/testing';
import { tokenBackend } from './helpers/token-backend';

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeAll(() => import('../src/adapters/voice-one-tab'));

interface Tab {
  manager: TokenManager;
  device: FakeVoiceDevice;
  detach: Detach;
  changes: boolean[];
  elsewhere: CallElsewhere[];
  crash(): void;
}

describe("attachVoice({ register: 'one-tab' }) when Web Locks refuse", () => {
  let hub: FakeBroadcastHub;
  let locks: FakeLockManager;
  let tabs: Tab[];

  function openTab(tabLocks: ConstructorParameters<typeof Object>[0] = locks.tab()): Tab {
    const backend = tokenBackend({ mint: { identity: 'alice' } });
    const manager = createTokenManager({ fetchToken: backend.fetchToken, crossTab: false, page: false, network: false });
    const device = new FakeVoiceDevice(backend.mint());
    const changes: boolean[] = [];
    const elsewhere: CallElsewhere[] = [];
    const channels: { close(): void }[] = [];
    const detach = attachVoice(manager, device, {
      register: 'one-tab',
      onRegistrationChange: (here) => changes.push(here),
      onCallElsewhere: (call) => elsewhere.push(call),
      oneTab: {
        locks: tabLocks as never,
        channel: (name) => {
          const channel = hub.factory(name);
          channels.push(channel);
          return channel;
        },
      },
    });
    const tab: Tab = {
      manager,
      device,
      detach,
      changes,
      elsewhere,
      crash() {
        // The tab closes or crashes: its channels go silent, its socket closes, its page runs nothing more.
        for (const channel of channels) channel.close();
        device.state = 'destroyed';
        manager.stop();
        tabs.splice(tabs.indexOf(tab), 1);
      },
    };
    tabs.push(tab);
    return tab;
  }

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    hub = new FakeBroadcastHub();
    locks = new FakeLockManager();
    tabs = [];
  });

  afterEach(() => {
    for (const tab of tabs) {
      tab.detach();
      tab.manager.stop();
    }
    vi.useRealTimers();
  });

  const deniedLocks = () => ({
    request: () => Promise.reject(new DOMException('The request was denied.', 'SecurityError')),
    query: () => Promise.reject(new DOMException('The request was denied.', 'SecurityError')),
  });
  const registered = () => tabs.filter((tab) => tab.device.state === 'registered').length;

  it('falls back to the lease: one of three tabs registers, never two, and another takes over when it crashes', async () => {
    openTab(deniedLocks());
    openTab(deniedLocks());
    openTab(deniedLocks());
    let most = 0;
    for (let t = 0; t < 5_000; t += 100) {
      await tick(100);
      most = Math.max(most, registered());
    }
    expect(registered()).toBe(1);
    expect(most).toBe(1);
    const owner = tabs.find((tab) => tab.device.state === 'registered')!;
    owner.crash();
    for (let t = 0; t < 3_000; t += 100) {
      await tick(100);
      most = Math.max(most, registered());
    }
    expect(registered()).toBe(1);
    expect(most).toBe(1);
  });
});
