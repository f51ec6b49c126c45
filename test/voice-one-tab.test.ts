import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachVoice, createTokenManager, type CallElsewhere, type CrossTabChannel, type Detach, type TokenError, type TokenManager, type TokenScheduler } from 'twilio-token-lifecycle';
import { FakeBroadcastHub, FakeLockManager, FakeVoiceDevice, mintTestToken, VirtualClock } from 'twilio-token-lifecycle/testing';
import { tokenBackend } from './helpers/token-backend';

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
// A first holder (or one after a close) waits CLOSE_SETTLE_MS (750 ms) before it registers.
const SETTLE_MS = 800;

interface Tab {
  identity: string;
  manager: TokenManager;
  device: FakeVoiceDevice;
  detach: Detach;
  changes: boolean[];
  elsewhere: CallElsewhere[];
  /** What the adapter's onError heard. */
  errors: TokenError[];
  /** The tab's window: `beforeunload` is dispatched on it. */
  window: EventTarget;
  /** The tab closes or crashes: its locks are freed, its channels go silent, its socket closes. */
  crash(): void;
}

// Web Locks as a sandboxed iframe has them: every request refused.
const DENIED_LOCKS = {
  request: () => Promise.reject(new DOMException('The request was denied.', 'SecurityError')),
  query: () => Promise.reject(new DOMException('The request was denied.', 'SecurityError')),
};

// attachVoice loads the one-tab code lazily; load it once up front so virtual time alone drives the tests.
beforeAll(() => import('../src/adapters/voice-one-tab'));

describe("attachVoice({ register: 'one-tab' })", () => {
  let hub: FakeBroadcastHub;
  let locks: FakeLockManager;
  let tabs: Tab[];
  let violations: string[];
  let registrations = 0;

  const registered = (identity = 'alice') => tabs.filter((tab) => tab.identity === identity && tab.device.state === 'registered');

  function openTab(
    options: { identity?: string; lease?: boolean; deniedLocks?: boolean; jwt?: string; scheduler?: TokenScheduler; storage?: Storage } = {},
  ): Tab {
    const identity = options.identity ?? 'alice';
    const backend = tokenBackend({ mint: { identity } });
    const manager = createTokenManager({ fetchToken: backend.fetchToken, crossTab: false, page: false, network: false, scheduler: options.scheduler });
    const device = new FakeVoiceDevice(options.jwt ?? backend.mint());
    const tabLocks = locks.tab();
    const channels: CrossTabChannel[] = [];
    const changes: boolean[] = [];
    const elsewhere: CallElsewhere[] = [];
    const errors: TokenError[] = [];
    const window = new EventTarget();
    // The invariant, checked at every registration: never two registered Devices of one identity.
    device.on('registered', () => {
      registrations += 1;
      if (registered(identity).length > 1) violations.push(`${registered(identity).length} registered at ${Date.now()}`);
    });
    const detach = attachVoice(manager, device, {
      register: 'one-tab',
      onRegistrationChange: (here) => changes.push(here),
      onCallElsewhere: (call) => elsewhere.push(call),
      onError: (error) => errors.push(error),
      oneTab: {
        window,
        storage: options.storage ?? null,
        locks: options.lease ? null : options.deniedLocks ? DENIED_LOCKS : tabLocks,
        channel: (name) => {
          const channel = hub.factory(name);
          channels.push(channel);
          return channel;
        },
      },
    });
    const tab: Tab = {
      identity,
      manager,
      device,
      detach,
      changes,
      elsewhere,
      errors,
      window,
      crash() {
        tabLocks.close();
        for (const channel of channels) channel.close();
        // Its socket closes: Twilio no longer counts it, and its page runs nothing more.
        device.state = 'destroyed';
        manager.stop();
        tabs.splice(tabs.indexOf(tab), 1);
      },
    };
    tabs.push(tab);
    return tab;
  }

  const holder = (identity = 'alice') => {
    const [only, ...more] = registered(identity);
    expect(more).toEqual([]);
    return only!;
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    hub = new FakeBroadcastHub();
    locks = new FakeLockManager();
    tabs = [];
    violations = [];
  });

  afterEach(() => {
    for (const tab of tabs) {
      tab.detach();
      tab.manager.stop();
    }
    vi.useRealTimers();
    expect(violations).toEqual([]);
  });

  it('registers exactly one of three tabs, and tells only that one', async () => {
    const [a, b, c] = [openTab(), openTab(), openTab()];
    await tick(SETTLE_MS);
    expect(registered()).toEqual([a]);
    expect(a.changes).toEqual([true]);
    expect(b.changes).toEqual([]);
    expect(c.changes).toEqual([]);
    expect(b.device.registerCalls + c.device.registerCalls).toBe(0);
  });

  it('rings in the registered tab only; the others hear ringing, then ended when the caller hangs up', async () => {
    const [a, b, c] = [openTab(), openTab(), openTab()];
    await tick(SETTLE_MS);
    const call = a.device.simulateIncomingCall({ CallSid: 'CA01', From: '+15550100', To: 'client:alice' })!;
    expect(b.device.simulateIncomingCall()).toBeUndefined(); // Twilio rings registered Devices only
    await tick(0);
    const ringing = { sid: 'CA01', from: '+15550100', to: 'client:alice', status: 'ringing' };
    expect(b.elsewhere).toEqual([ringing]);
    expect(c.elsewhere).toEqual([ringing]);
    call.simulateCancel();
    await tick(0);
    expect(b.elsewhere).toEqual([ringing, { ...ringing, status: 'ended' }]);
    expect(c.elsewhere).toEqual([ringing, { ...ringing, status: 'ended' }]);
    expect(a.elsewhere).toEqual([]);
  });

  it('says accepted when the call is answered in the registered tab, then ended when it hangs up', async () => {
    const [a, b] = [openTab(), openTab()];
    await tick(SETTLE_MS);
    const call = a.device.simulateIncomingCall({ CallSid: 'CA02' })!;
    await tick(0);
    call.accept();
    await tick(0);
    call.disconnect();
    await tick(0);
    expect(b.elsewhere.map((seen) => seen.status)).toEqual(['ringing', 'accepted', 'ended']);
  });

  it('tells a tab opened while a call rings that it rings elsewhere', async () => {
    const a = openTab();
    await tick(SETTLE_MS);
    a.device.simulateIncomingCall({ CallSid: 'CA03' });
    await tick(0);
    const late = openTab();
    await tick(SETTLE_MS);
    expect(late.elsewhere.map((seen) => `${seen.sid} ${seen.status}`)).toEqual(['CA03 ringing']);
  });

  it('detach() in the holder unregisters it first, then another tab registers at once', async () => {
    const [a, b] = [openTab(), openTab()];
    await tick(SETTLE_MS);
    const order: string[] = [];
    a.device.on('unregistered', () => order.push('a unregistered'));
    b.device.on('registered', () => order.push('b registered'));
    a.detach();
    // It said it had unregistered (voice-released): b registers at once, with no settling wait.
    await tick(10);
    expect(order).toEqual(['a unregistered', 'b registered']);
    expect(a.device.unregisterCalls).toBe(1);
    expect(a.changes).toEqual([true, false]);
    expect(b.changes).toEqual([true]);
    // Only this test's own listeners are left.
    expect(['incoming', 'destroyed', 'tokenWillExpire'].map((event) => a.device.listenerCount(event as 'incoming'))).toEqual([0, 0, 0]);
  });

  it('when the holder crashes with a call ringing, another registers and the others hear the call ended', async () => {
    const [a, b, c] = [openTab(), openTab(), openTab()];
    await tick(SETTLE_MS);
    a.device.simulateIncomingCall({ CallSid: 'CA04' });
    await tick(0);
    a.crash();
    await tick(10);
    // Its socket may still be closing: the next holder waits CLOSE_SETTLE_MS before registering.
    expect(registered()).toEqual([]);
    await tick(740);
    const next = holder();
    expect([b, c]).toContain(next);
    const other = next === b ? c : b;
    expect(other.elsewhere.map((seen) => seen.status)).toEqual(['ringing', 'ended']);
    expect(next.elsewhere.map((seen) => seen.status)).toEqual(['ringing', 'ended']);
  });

  it('a holder whose unregister() never settles releases after 5 s, and the next waits out the settle before registering', async () => {
    const [a, b] = [openTab(), openTab()];
    await tick(SETTLE_MS);
    a.device.unregister = () => new Promise(() => undefined); // the server never says offline
    a.detach();
    await tick(4_900);
    expect(registered()).toEqual([a]); // still registered as far as anyone knows: nobody else registers
    a.device.state = 'unregistered'; // in this story its socket is dead, so the server never answered
    await tick(100);
    expect(registered()).toEqual([]); // released at 5 s; the next holder settles first
    await tick(SETTLE_MS);
    expect(holder()).toBe(b);
  });

  it('a destroyed holder hands over without calling unregister or register on the dead Device', async () => {
    const [a, b] = [openTab(), openTab()];
    await tick(SETTLE_MS);
    a.device.destroy(); // says unregistered, then destroyed, as the SDK does
    await tick(760);
    expect(holder()).toBe(b);
    expect(a.device.registerCalls).toBe(1);
    expect(a.device.unregisterCalls).toBe(0);
    expect(a.changes).toEqual([true, false]);
  });

  it('a Device of one identity attached to a manager of another never registers, and leaves the lock to its own tabs', async () => {
    // The manager serves bob; the Device was made with alice's token (the app switched users, not Devices).
    const manager = createTokenManager({ fetchToken: async () => mintTestToken({ identity: 'bob' }), crossTab: false, page: false, network: false });
    await manager.getToken();
    const device = new FakeVoiceDevice(mintTestToken({ identity: 'alice' }));
    const changes: boolean[] = [];
    const detach = attachVoice(manager, device, {
      register: 'one-tab',
      onRegistrationChange: (here) => changes.push(here),
      onError: () => undefined, // identity-mismatch, as without one-tab
      oneTab: { locks: locks.tab(), channel: hub.factory },
    });
    await tick(SETTLE_MS);
    const alice = openTab();
    await tick(SETTLE_MS);
    expect(device.registerCalls).toBe(0);
    expect(changes).toEqual([]);
    expect(holder()).toBe(alice);
    expect(device.listenerCount('registered') + device.listenerCount('incoming')).toBe(0);
    detach();
    manager.stop();
  });

  it('two identities register independently', async () => {
    const [a1, a2, b1, b2] = [openTab(), openTab(), openTab({ identity: 'bob' }), openTab({ identity: 'bob' })];
    await tick(SETTLE_MS);
    expect(holder('alice')).toBe(a1);
    expect(holder('bob')).toBe(b1);
    a1.device.simulateIncomingCall({ CallSid: 'CA05', To: 'client:alice' });
    await tick(0);
    expect(a2.elsewhere).toHaveLength(1);
    expect(b1.elsewhere).toEqual([]);
    expect(b2.elsewhere).toEqual([]);
  });

  it('ignores malformed messages on its channel', async () => {
    const [a, b] = [openTab(), openTab()];
    await tick(SETTLE_MS);
    const name = (await locks.query()).held[0]!.name!;
    const intruder = hub.factory(name);
    for (const junk of [null, 'x', { ns: 'twilio-token-lifecycle', v: 1, from: 'evil', type: 'voice-call', call: { sid: 'CA9', from: 1, to: '', status: 'ringing' } }, { ns: 'twilio-token-lifecycle', v: 1, type: 'voice-owner' }]) {
      intruder.post(junk as never);
    }
    await tick(SETTLE_MS);
    expect(b.elsewhere).toEqual([]);
    expect(holder()).toBe(a);
    intruder.close();
  });

  it('retries a failed register() while it holds the registration: 1, 2, 4 s', async () => {
    const a = openTab();
    a.device.registerBehaviour = 'reject';
    await tick(SETTLE_MS);
    expect(a.device.registerCalls).toBe(1);
    await tick(1_000);
    expect(a.device.registerCalls).toBe(2);
    await tick(2_000);
    expect(a.device.registerCalls).toBe(3);
    a.device.registerBehaviour = 'resolve';
    await tick(4_000);
    expect(a.device.state).toBe('registered');
    expect(a.changes).toEqual([true]);
  });

  it('unregisters a Device the SDK re-registered by itself while another tab holds the registration', async () => {
    const [a, b] = [openTab(), openTab()];
    await tick(SETTLE_MS);
    b.device.state = 'registered';
    b.device.emit('registered');
    violations = []; // two for a moment on purpose, as when the SDK does it
    await tick(SETTLE_MS);
    expect(b.device.state).toBe('unregistered');
    expect(holder()).toBe(a);
  });

  it('re-registers a holder whose signaling dropped, if the SDK has not within the retry', async () => {
    const a = openTab();
    await tick(SETTLE_MS);
    a.device.simulateSignalingDrop();
    await tick(0);
    expect(a.changes).toEqual([true, false]);
    await tick(1_000);
    expect(a.device.state).toBe('registered');
    expect(a.changes).toEqual([true, false, true]);
  });

  it('refuses a register option other than one-tab at once, and a Device without unregister() with a console error', async () => {
    const manager = createTokenManager({ fetchToken: async () => mintTestToken(), crossTab: false, page: false, network: false });
    const device = new FakeVoiceDevice(mintTestToken());
    expect(() => attachVoice(manager, device, { register: true as never })).toThrow(TypeError);
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const bare = { token: device.token, updateToken: () => undefined, on: () => undefined, removeListener: () => undefined, register: vi.fn(), state: 'unregistered' };
    const detach = attachVoice(manager, bare as never, { register: 'one-tab', oneTab: { locks: locks.tab(), channel: hub.factory } });
    await tick(SETTLE_MS);
    expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(/register\(\) and unregister\(\)/));
    expect(bare.register).not.toHaveBeenCalled();
    consoleError.mockRestore();
    detach();
    manager.stop();
  });

  describe('without Web Locks: the BroadcastChannel lease', () => {
    it('registers one tab, and after the holder crashes another within 2 s, never two at once', async () => {
      const [a, b, c] = [openTab({ lease: true }), openTab({ lease: true }), openTab({ lease: true })];
      await tick(2_000);
      const first = holder();
      expect([a, b, c]).toContain(first);
      const crashedAt = Date.now();
      first.crash();
      let takenAt: number | undefined;
      for (let step = 0; step < 40 && takenAt === undefined; step++) {
        await tick(50);
        if (registered().length === 1) takenAt = Date.now();
      }
      expect(takenAt! - crashedAt).toBeLessThanOrEqual(2_000); // virtual time: lease 1 s + ⅓ s renew + ½ s confirm
      await tick(5_000);
      expect(registered()).toHaveLength(1);
    });

    it('a detaching holder hands over at once (lease-release), unregistering first', async () => {
      const [a, b] = [openTab({ lease: true }), openTab({ lease: true })];
      await tick(2_000);
      const first = holder();
      first.detach();
      tabs.splice(tabs.indexOf(first), 1);
      await tick(1_000);
      expect(holder()).toBe(first === a ? b : a);
    });
  });

  it('a seeded run of 300 random opens, closes, crashes, detaches and calls keeps one registration per identity', async () => {
    let seed = 19;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let longestGapMs = 0;
    let gapStart: number | undefined;
    let lastActionAt = 0;
    for (let step = 0; step < 300; step++) {
      lastActionAt = Date.now();
      const roll = random();
      const open = tabs.filter((tab) => tab.identity === 'alice');
      if (roll < 0.35 || open.length === 0) openTab();
      else if (roll < 0.55) open[Math.floor(random() * open.length)]!.crash();
      else if (roll < 0.7) {
        const tab = open[Math.floor(random() * open.length)]!;
        tab.detach();
        tabs.splice(tabs.indexOf(tab), 1);
      } else if (roll < 0.8) open[Math.floor(random() * open.length)]!.device.destroy();
      else registered()[0]?.device.simulateIncomingCall();
      // Destroyed Devices (by the app) leave their tab open but out of the running.
      for (const tab of tabs.filter((tab) => tab.device.state === 'destroyed')) tabs.splice(tabs.indexOf(tab), 1);
      for (let wait = Math.floor(random() * 20); wait >= 0; wait--) {
        await tick(50);
        const now = Date.now();
        if (registered().length === 0 && tabs.length > 0) gapStart ??= now;
        else if (gapStart !== undefined) {
          // From the last disruption on: a holder closed while the next one settled starts a new wait.
          longestGapMs = Math.max(longestGapMs, now - Math.max(gapStart, lastActionAt));
          gapStart = undefined;
        }
        expect(registered().length).toBeLessThanOrEqual(1);
      }
    }
    expect(registrations, 'handovers in the run').toBeGreaterThan(40);
    // Web Locks pass on at once; after a close, crash or destroy the next holder waits 750 ms for the
    // old socket to go (sampled every 50 ms of virtual time, from the last open, close or crash).
    expect(longestGapMs).toBeLessThanOrEqual(800);
  });

  it('falls back to the lease where Web Locks refuse every request (a sandboxed iframe): one tab registers, another after it crashes', async () => {
    const before = registrations;
    for (let i = 0; i < 3; i++) openTab({ deniedLocks: true });
    await vi.advanceTimersByTimeAsync(5_000);
    holder().crash();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(holder()).toBeDefined();
    expect(registrations - before).toBe(2); // one, then its successor: never two at once (checked at each)
  });

  describe('review fixes', () => {
    /** localStorage as the tabs of one profile share it. */
    const sharedStorage = (): Storage => {
      const items = new Map<string, string>();
      return {
        getItem: (key: string) => items.get(key) ?? null,
        setItem: (key: string, value: string) => void items.set(key, String(value)),
        removeItem: (key: string) => void items.delete(key),
      } as Storage;
    };

    it("times its settle and retries on the manager's scheduler: virtual time alone registers the first holder", async () => {
      vi.useRealTimers();
      const clock = new VirtualClock();
      const [a, b] = [openTab({ scheduler: clock.scheduler }), openTab({ scheduler: clock.scheduler })];
      await clock.advance(SETTLE_MS);
      expect(registered()).toEqual([a]);
      a.crash();
      await clock.advance(SETTLE_MS);
      expect(registered()).toEqual([b]);
    });

    it('the lease is timed from hearing it on the monotonic clock: a wall clock set back an hour does not stall the takeover', async () => {
      vi.useRealTimers();
      const clock = new VirtualClock();
      const all = [0, 1, 2].map(() => openTab({ lease: true, scheduler: clock.scheduler }));
      await clock.advance(2_000);
      const first = holder();
      expect(all).toContain(first);
      clock.jumpWall(-60 * 60_000); // NTP, or the user, sets the clock back an hour
      first.crash();
      // Lease 1 s + a third of it to notice + ½ s confirm, well inside the 2 s.
      await clock.advance(2_000);
      expect(registered()).toHaveLength(1);
      expect(holder()).not.toBe(first);
    });

    it("believes a 'voice-owner' only from the tab the lock names: a forged one ends no call, and a forged 'voice-released' skips no settle", async () => {
      const [a, b, c] = [openTab(), openTab(), openTab()];
      await tick(SETTLE_MS);
      a.device.simulateIncomingCall({ CallSid: 'CA06' });
      await tick(0);
      const name = (await locks.query()).held.find((lock) => !lock.name!.includes('|holder|'))!.name!;
      const intruder = hub.factory(name);
      intruder.post({ ns: 'twilio-token-lifecycle', v: 1, from: 'not-a-holder', type: 'voice-owner' } as never);
      await tick(10);
      expect(b.elsewhere.map((seen) => `${seen.sid} ${seen.status}`)).toEqual(['CA06 ringing']);
      expect(c.elsewhere.map((seen) => `${seen.sid} ${seen.status}`)).toEqual(['CA06 ringing']);
      // The holder crashes; a forged release must not let the next one register before its socket is gone.
      intruder.post({ ns: 'twilio-token-lifecycle', v: 1, from: 'not-a-holder', type: 'voice-released' } as never);
      a.crash();
      await tick(10);
      expect(registered()).toEqual([]);
      await tick(SETTLE_MS);
      expect([b, c]).toContain(holder());
      intruder.close();
    });

    it('a register() that never settles gives the registration up after 10 s with a TokenError timeout; another tab registers; the stuck one unregisters if it registers late', async () => {
      const a = openTab();
      a.device.registerBehaviour = 'never';
      await tick(SETTLE_MS);
      const b = openTab();
      await tick(9_000);
      expect(registered()).toEqual([]); // still waiting on a
      expect(a.errors).toEqual([]);
      await tick(1_000 + SETTLE_MS); // 10 s: a gives way; b settles (a's register may have reached Twilio)
      expect(a.errors.map((error) => error.code)).toEqual(['timeout']);
      expect(a.errors[0]!.message).toMatch(/register\(\) did not settle within 10 s/);
      expect(holder()).toBe(b);
      a.device.setState('registered'); // its register() got through after all
      violations = []; // two for a moment, as the SDK would have it
      await tick(10);
      expect(a.device.state).toBe('unregistered');
      expect(holder()).toBe(b);
    });

    it('with the shared trace, a tab that finds nothing registered registers at once; after a crash the next waits, and the one after that only the rest', async () => {
      const storage = sharedStorage();
      const a = openTab({ storage });
      await tick(10);
      expect(registered()).toEqual([a]); // nobody was registered: no settle
      const [b, c] = [openTab({ storage }), openTab({ storage })];
      const crashedAt = Date.now();
      a.crash(); // its socket may still be registered: the trace says so
      await tick(400);
      expect(registered()).toEqual([]);
      // b (first in the queue) holds and settles; it closes too: c waits only what is left of the settle.
      b.crash();
      let registeredAt: number | undefined;
      for (let step = 0; step < 20 && registeredAt === undefined; step++) {
        await tick(50);
        if (registered().length === 1) registeredAt = Date.now();
      }
      expect(registeredAt! - crashedAt).toBeLessThanOrEqual(SETTLE_MS);
      expect(holder()).toBe(c);
    });

    it("with the shared trace, the settle counts from when the holder's Device was destroyed: a tab that takes over later registers at once", async () => {
      const storage = sharedStorage();
      const a = openTab({ storage });
      await tick(10);
      expect(registered()).toEqual([a]);
      a.device.destroy(); // as the SDK's pagehide does: its socket closes
      a.crash();
      await tick(1_000);
      const b = openTab({ storage }); // opened after the settle has passed
      await tick(10);
      expect(holder()).toBe(b);
    });

    it('beforeunload: the holder unregisters, and once the server confirms the next registers at once; a page that stays registers again', async () => {
      const [a, b] = [openTab(), openTab()];
      await tick(SETTLE_MS);
      a.window.dispatchEvent(new Event('beforeunload'));
      await tick(0);
      expect(a.device.unregisterCalls).toBe(1);
      expect(a.device.state).toBe('unregistered');
      a.crash(); // the page goes
      await tick(10);
      expect(holder()).toBe(b); // no settle: it heard voice-released
      const third = openTab();
      await tick(SETTLE_MS);
      b.window.dispatchEvent(new Event('beforeunload')); // but another listener keeps the page
      await tick(10);
      expect(registered()).toEqual([]);
      await tick(1_000);
      expect(holder()).toBe(b);
      expect(third.device.registerCalls).toBe(0);
    });
  });
});
