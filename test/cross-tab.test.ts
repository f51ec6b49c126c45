import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenManager, TokenError, type TokenManager } from 'twilio-token-lifecycle';
import {
  FakeBroadcastHub,
  FakeLockManager,
  FakeNetworkSignals,
  FakePageSignals,
  mintTestToken,
} from 'twilio-token-lifecycle/testing';
import { tokenBackend } from './helpers/token-backend';

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const TTL_MS = 600_000; // refreshed 150 s before expiry

interface Tab {
  manager: TokenManager;
  page: FakePageSignals;
  network: FakeNetworkSignals;
  close(): void;
}

// The manager loads its cross-tab code lazily; load it once up front so virtual time alone drives the tests.
beforeAll(() => import('../src/cross-tab/cross-tab'));

describe('cross-tab sharing', () => {
  let hub: FakeBroadcastHub;
  let locks: FakeLockManager | null;
  let backend: ReturnType<typeof tokenBackend>;
  let tabs: Tab[];

  // Tabs know whose token they may take (`crossTab.identity`), as an app that knows its user does.
  function openTab(options: { identity?: string | undefined; locks?: FakeLockManager | null; fetchToken?: typeof backend.fetchToken } = {}): Tab {
    const page = new FakePageSignals();
    const network = new FakeNetworkSignals();
    const manager = createTokenManager({
      fetchToken: options.fetchToken ?? backend.fetchToken,
      crossTab: { key: 'app', channel: hub.factory, locks: options.locks === undefined ? locks : options.locks, identity: 'identity' in options ? options.identity : 'alice' },
      page,
      network,
    });
    const unsubscribe = manager.subscribe(() => undefined);
    const tab = { manager, page, network, close: () => (unsubscribe(), manager.stop()) };
    tabs.push(tab);
    return tab;
  }

  const jwtOf = (tab: Tab) => tab.manager.getState().token?.jwt;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    hub = new FakeBroadcastHub();
    locks = new FakeLockManager();
    backend = tokenBackend({ ttlSeconds: TTL_MS / 1000 });
    tabs = [];
  });

  afterEach(() => {
    for (const tab of tabs) tab.manager.stop();
    vi.useRealTimers();
  });

  it('makes one request per refresh cycle for five tabs, and every tab holds the same token', async () => {
    // A backend that takes 300 ms, so the other tabs' timers fire while the refresher's request is out.
    const slowFetch: typeof backend.fetchToken = (context) => {
      const answer = backend.fetchToken(context);
      return new Promise((resolve) => setTimeout(() => resolve(answer), 300));
    };
    for (let i = 0; i < 5; i++) {
      openTab({ fetchToken: slowFetch });
      await tick(50);
    }
    await tick(1_000);
    expect(backend.calls).toHaveLength(1);
    expect(new Set(tabs.map(jwtOf)).size).toBe(1);
    expect(tabs.map((tab) => tab.manager.getState().role).filter((role) => role === 'refresher')).toHaveLength(1);

    for (let cycle = 1; cycle <= 3; cycle++) {
      await tick(TTL_MS - 150_000);
      expect(backend.calls).toHaveLength(1 + cycle);
      expect(new Set(tabs.map(jwtOf)).size).toBe(1);
      expect(tabs.every((tab) => tab.manager.getState().status === 'valid')).toBe(true);
    }
  });

  it('gives a new tab the current token at once, without a request', async () => {
    const first = openTab();
    await tick(1_000);
    expect(backend.calls).toHaveLength(1);
    await tick(60_000);
    const late = openTab();
    await tick(10);
    expect(jwtOf(late)).toBe(jwtOf(first));
    expect(await late.manager.getToken()).toBe(late.manager.getState().token);
    expect(backend.calls).toHaveLength(1);
  });

  it('lets a new tab that asks getToken() at once wait for the others instead of fetching', async () => {
    openTab();
    await tick(1_000);
    const late = openTab();
    const token = late.manager.getToken();
    await tick(10);
    expect((await token).jwt).toBe(jwtOf(tabs[0]!));
    expect(backend.calls).toHaveLength(1);
  });

  it('does not wait for other tabs when it is alone', async () => {
    openTab();
    await tick(0);
    expect(backend.calls).toHaveLength(1);
  });

  it('hands the refresh to another tab when the refresher closes', async () => {
    const [first] = [openTab(), openTab(), openTab()];
    await tick(1_000);
    expect(first!.manager.getState().role).toBe('refresher');
    first!.close();
    await tick(0);
    expect(tabs.slice(1).filter((tab) => tab.manager.getState().role === 'refresher')).toHaveLength(1);
    await tick(TTL_MS - 150_000);
    expect(backend.calls).toHaveLength(2);
    expect(backend.calls[1]!.reason).toBe('scheduled');
    expect(tabs.slice(1).every((tab) => tab.manager.getState().status === 'valid')).toBe(true);
  });

  describe.each([
    ['Web Locks', () => new FakeLockManager()],
    ['a lease over the channel', () => null],
  ])('hand-over on halt, with %s', (_, makeLocks) => {
    const TTL = 60_000; // refreshed 15 s before expiry
    const LEAD = 15_000;
    type Halt = 'unauthorized' | 'forbidden' | 'identity-mismatch' | 'misconfigured';

    /** A tab whose own fetches are answered by `session`: fine until it ends, then refused its way. */
    function openSessionTab(backend60: ReturnType<typeof tokenBackend>, session: { endedBy?: Halt }) {
      const fetchToken: typeof backend60.fetchToken = (context) => {
        switch (session.endedBy) {
          case 'unauthorized':
          case 'forbidden':
            backend60.calls.push(context);
            return Promise.reject(new TokenError(session.endedBy, 'session ended', { status: session.endedBy === 'forbidden' ? 403 : 401, retryable: false }));
          case 'identity-mismatch':
            backend60.calls.push(context);
            return Promise.resolve(backend60.mint({ identity: 'mallory' })); // signed in as someone else meanwhile
          case 'misconfigured':
            throw new Error('this tab’s transport is broken');
          default:
            return backend60.fetchToken(context);
        }
      };
      return openTab({ fetchToken, locks: locks ?? null });
    }

    beforeEach(() => {
      locks = makeLocks();
    });

    const roleOf = (tab: Tab) => tab.manager.getState().role;

    it.each<Halt>(['unauthorized', 'forbidden', 'identity-mismatch', 'misconfigured'])(
      'a refresher halted by %s hands the role on; the others never lack a valid token, over 6 cycles',
      async (halt) => {
        const backend60 = tokenBackend({ ttlSeconds: TTL / 1000 });
        const sessions = [{}, {}, {}] as Array<{ endedBy?: Halt }>;
        const [first, second, third] = sessions.map((session) => openSessionTab(backend60, session)) as [Tab, Tab, Tab];
        await tick(5_000); // a lease takes a whole lease (3 s) to settle
        expect(roleOf(first)).toBe('refresher');
        expect(backend60.calls).toHaveLength(1);

        sessions[0]!.endedBy = halt; // the refresher's session ends
        const others = [second, third];
        let invalidMs = 0;
        let isHalted = false;
        first.manager.events$.subscribe((event) => (isHalted ||= event.type === 'failure'));
        let firstWasRefresher = false;
        const sentAt: number[] = [];
        const countFrom = backend60.calls.length;
        // Six cycles of 45 s (refresh 15 s before a 60 s expiry), watched every 100 ms.
        for (let t = 0; t < 6 * (TTL - LEAD) + 5_000; t += 100) {
          await tick(100);
          for (const tab of others) if (tab.manager.getState().status !== 'valid') invalidMs += 100;
          // Once refused (it learns its session ended at its next refresh), it refreshes for nobody.
          if (isHalted && roleOf(first) === 'refresher') firstWasRefresher = true;
          while (sentAt.length < backend60.calls.length - countFrom) sentAt.push(Date.now());
          // Halfway, the new refresher closes: the halted tab must not win the role back.
          if (t === 3 * (TTL - LEAD)) {
            const refresher = others.find((tab) => roleOf(tab) === 'refresher')!;
            refresher.close();
            others.splice(others.indexOf(refresher), 1);
          }
        }
        expect(invalidMs).toBe(0);
        expect(isHalted).toBe(true);
        expect(firstWasRefresher).toBe(false);
        expect(roleOf(first)).toBe('follower');
        expect(others.map(roleOf)).toEqual(['refresher']);
        // The halted tab asked once (refused); every other request is the new refresher's, at the normal
        // lead: each 45 s after the last, never a follower's late catch-up at half the window.
        const good = sentAt.slice(halt === 'misconfigured' ? 0 : 1);
        expect(good.length).toBeGreaterThanOrEqual(6);
        for (let i = 1; i < good.length; i++) expect(good[i]! - good[i - 1]!).toBeLessThanOrEqual(TTL - LEAD + 1_000);
        // Meanwhile the halted tab shows the others' token: the same identity, still usable.
        expect(first.manager.getState().token?.jwt).toBe(others[0]!.manager.getState().token?.jwt);

        // Signed in again: its own refresh succeeds, and it competes for the role once more.
        delete sessions[0]!.endedBy;
        await first.manager.refresh();
        await tick(1_000);
        others[0]!.close();
        await tick(5_000);
        expect(roleOf(first)).toBe('refresher');
      },
    );
  });

  it('gives up the refresher role before the page freezes, and takes it back after resume', async () => {
    const [first, second] = [openTab(), openTab()];
    await tick(1_000);
    first!.page.emit('freeze');
    await tick(0);
    expect(second!.manager.getState().role).toBe('refresher');
    expect(first!.manager.getState().role).toBe('follower');
    await tick(TTL_MS - 150_000);
    expect(backend.calls).toHaveLength(2);
    expect(jwtOf(first!)).toBe(jwtOf(second!));
    first!.page.emit('wake');
    second!.close();
    await tick(0);
    expect(first!.manager.getState().role).toBe('refresher');
  });

  it('hands the role from a hidden refresher to a visible tab', async () => {
    const [first, second] = [openTab(), openTab()];
    await tick(1_000);
    expect(first!.manager.getState().role).toBe('refresher');
    first!.page.emit('hidden');
    await tick(0);
    expect(second!.manager.getState().role).toBe('refresher');
    expect(first!.manager.getState().role).toBe('follower');
  });

  it('passes the role on when a hidden tab inherits it while a visible one waits', async () => {
    const [first, second, third] = [openTab(), openTab(), openTab()];
    await tick(1_000);
    second!.page.emit('hidden');
    await tick(0);
    first!.close(); // the lock goes to the next in line, the hidden tab
    await tick(0);
    expect(third!.manager.getState().role).toBe('refresher');
    expect(second!.manager.getState().role).toBe('follower');
  });

  it('does not pass the role round for ever among hidden tabs', async () => {
    const tabs = [openTab(), openTab(), openTab()];
    await tick(1_000);
    // A visible tab that crashed without a word: the others still believe it is there.
    const ghost = hub.factory('twilio-token-lifecycle:v1||app');
    ghost.post({ ns: 'twilio-token-lifecycle', v: 1, from: 'ghost', isVisible: true, type: 'presence' });
    await tick(0);
    for (const tab of tabs) tab.page.emit('hidden');
    await tick(1_000);
    expect(tabs.filter((tab) => tab.manager.getState().role === 'refresher')).toHaveLength(1);
    const holder = tabs.find((tab) => tab.manager.getState().role === 'refresher');
    await tick(10_000);
    expect(tabs.find((tab) => tab.manager.getState().role === 'refresher')).toBe(holder);
  });

  it('keeps a hidden refresher when no tab is visible', async () => {
    const [first, second] = [openTab(), openTab()];
    await tick(1_000);
    second!.page.emit('hidden');
    await tick(0);
    first!.page.emit('hidden');
    await tick(0);
    expect(first!.manager.getState().role).toBe('refresher');
  });

  it('refreshes by itself, halfway through the refresh window, when the refresher goes silent', async () => {
    const [first, second] = [openTab(), openTab()];
    await tick(1_000);
    hub.isBroken = true; // the refresher's token never reaches the other tab
    await tick(TTL_MS - 150_000);
    expect(backend.calls).toHaveLength(2);
    await tick(75_000);
    expect(backend.calls).toHaveLength(3);
    expect(second!.manager.getState().status).toBe('valid');
    expect(first!.manager.getState().status).toBe('valid');
  });

  it('never adopts a token for another identity', async () => {
    const alice = openTab({ identity: 'alice' });
    await tick(1_000);
    const jwt = jwtOf(alice);
    const mallory = tokenBackend({ ttlSeconds: 3600, mint: { identity: 'mallory' } });
    const other = openTab({ fetchToken: mallory.fetchToken, identity: 'mallory' });
    await tick(1_000);
    expect(other.manager.getState().token?.identity).toBe('mallory');
    // mallory's newer token was offered to alice's tab, which kept its own.
    expect(jwtOf(alice)).toBe(jwt);
    expect(alice.manager.getState().token?.identity).toBe('alice');
  });

  it('fetches its own first token when it knows no identity, instead of adopting another user’s', async () => {
    const bob = tokenBackend({ ttlSeconds: TTL_MS / 1000, mint: { identity: 'bob' } });
    const alice = openTab();
    await tick(1_000);
    // A second tab of the same app, signed in as bob, with no identity configured.
    const other = openTab({ fetchToken: bob.fetchToken, identity: undefined });
    await tick(1_000);
    expect(bob.calls).toHaveLength(1);
    expect(other.manager.getState().token?.identity).toBe('bob');
    expect(alice.manager.getState().token?.identity).toBe('alice');
    // From then on each refuses the other's tokens, and says so.
    await alice.manager.refresh();
    await tick(10);
    expect(other.manager.getState()).toMatchObject({ token: { identity: 'bob' }, error: { code: 'identity-mismatch' } });
  });

  it('adopts tokens for its own identity once it has fetched its first', async () => {
    const first = openTab({ identity: undefined });
    const second = openTab({ identity: undefined });
    await tick(1_000);
    expect(backend.calls).toHaveLength(2);
    await first.manager.refresh();
    await tick(10);
    expect(jwtOf(second)).toBe(jwtOf(first));
  });

  it('ignores null and malformed messages without throwing', async () => {
    const tab = openTab();
    await tick(1_000);
    const jwt = jwtOf(tab);
    const post = hub.factory('twilio-token-lifecycle:v1||app');
    const base = { ns: 'twilio-token-lifecycle', v: 1, from: 'x', isVisible: true } as const;
    for (const junk of [null, undefined, 42, 'hello', {}, { ...base }, { ...base, type: 'token' }, { ...base, type: 'token', token: null }, { ...base, type: 'token', token: { jwt: 5 } }, { ...base, type: 'lease', until: 'soon' }, { ...base, type: 'nope' }]) {
      post.post(junk as never);
    }
    await tick(10);
    expect(jwtOf(tab)).toBe(jwt);
    expect(tab.manager.getState().status).toBe('valid');
  });

  it('ignores an older token and garbage on the channel', async () => {
    const tab = openTab();
    await tick(1_000);
    const jwt = jwtOf(tab);
    const post = hub.factory('twilio-token-lifecycle:v1||app');
    const older = mintTestToken({ ttlSeconds: 60 });
    const base = { ns: 'twilio-token-lifecycle', v: 1, from: 'x', isVisible: true } as const;
    post.post({ ...base, type: 'token', token: { jwt: older, usableAt: 0, refreshAt: Date.now() + 1, expiresAt: Date.now() + 60_000 } });
    post.post({ ...base, type: 'token', token: { jwt: 'not.a.token', usableAt: 0, refreshAt: Date.now() + 1, expiresAt: Date.now() + 10 * TTL_MS } });
    await tick(10);
    expect(jwtOf(tab)).toBe(jwt);
  });

  it('elects one refresher with a lease over the channel where Web Locks are missing', async () => {
    for (let i = 0; i < 4; i++) openTab({ locks: null });
    await tick(5_000);
    expect(backend.calls).toHaveLength(1);
    expect(tabs.filter((tab) => tab.manager.getState().role === 'refresher')).toHaveLength(1);
    for (let cycle = 1; cycle <= 3; cycle++) {
      await tick(TTL_MS - 150_000);
      expect(backend.calls).toHaveLength(1 + cycle);
    }
    expect(new Set(tabs.map(jwtOf)).size).toBe(1);
    const leader = tabs.find((tab) => tab.manager.getState().role === 'refresher')!;
    leader.close();
    await tick(5_000);
    expect(tabs.filter((tab) => tab !== leader && tab.manager.getState().role === 'refresher')).toHaveLength(1);
  });

  it('closes its channel and leaves the election when the last subscriber leaves', async () => {
    const tab = openTab();
    await tick(1_000);
    tab.close();
    await tick(2_000);
    expect(locks!.holderCount()).toBe(0);
    expect(tab.page.listenerCount).toBe(0);
    expect(tab.network.listenerCount).toBe(0);
  });
});

describe('wake, throttling and offline', () => {
  let backend: ReturnType<typeof tokenBackend>;
  let page: FakePageSignals;
  let network: FakeNetworkSignals;
  let manager: TokenManager;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    backend = tokenBackend({ ttlSeconds: 3600 });
    page = new FakePageSignals();
    network = new FakeNetworkSignals();
    manager = createTokenManager({ fetchToken: backend.fetchToken, page, network, random: () => 0.5 });
    manager.subscribe(() => undefined);
  });

  afterEach(() => {
    manager.stop();
    vi.useRealTimers();
  });

  it('re-checks on wake and refreshes at once when the clock jumped past the refresh time', async () => {
    await tick(1_000);
    // The machine slept: the wall clock moved on 58 minutes while no timer ran.
    vi.setSystemTime(Date.now() + 58 * 60_000);
    page.emit('wake');
    await tick(0);
    expect(backend.calls.map((call) => call.reason)).toEqual(['initial', 'wake']);
    expect(manager.getState().status).toBe('valid');
  });

  it('does nothing on wake when the token is still fresh', async () => {
    await tick(0);
    await tick(1_000);
    page.emit('wake');
    await tick(0);
    expect(backend.calls).toHaveLength(1);
  });

  it('checks at least once a minute, so a sleep with no page event is caught within a minute of waking', async () => {
    await tick(0);
    vi.setSystemTime(Date.now() + 2 * 3600_000); // slept through expiry, timers frozen
    await tick(60_000);
    expect(backend.calls.map((call) => call.reason)).toEqual(['initial', 'wake']);
    expect(manager.getState().status).toBe('valid');
  });

  it('pauses retries while offline, says so, and retries at once when back online', async () => {
    await tick(0);
    backend.respondWith(() => Promise.reject(new TypeError('Failed to fetch')));
    network.set(false);
    await tick(3_400_000); // past the refresh time (55 min): nothing is sent while offline
    expect(backend.calls).toHaveLength(1);
    expect(manager.getState()).toMatchObject({ offline: true, status: 'valid' });
    expect(manager.getState().nextRefreshAt).toBeUndefined();

    network.set(true);
    await tick(0);
    expect(backend.calls).toHaveLength(2);
    expect(backend.calls[1]!.reason).toBe('wake');
    expect(manager.getState().status).toBe('error');
    expect(manager.getState().offline).toBeUndefined();

    network.set(false);
    await tick(60_000);
    expect(backend.calls).toHaveLength(2);
    network.set(true);
    await tick(0);
    expect(backend.calls).toHaveLength(3);
    expect(manager.getState().status).toBe('valid');
  });

  it('lets the token expire while offline, then recovers when back', async () => {
    await tick(0);
    network.set(false);
    await tick(3_600_000);
    expect(manager.getState()).toMatchObject({ status: 'expired', offline: true });
    network.set(true);
    await tick(0);
    expect(manager.getState().status).toBe('valid');
  });
});
