// @vitest-environment node
import type { Page } from 'playwright-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium } from '../chromium';
import { bundlePage } from './bundle-page';
import { makeLoopbackCertificate, type LoopbackCertificate } from './certificate';
import { startFakeVoiceSignaling, type FakeVoiceSignaling, type RegistrationEvent } from './fake-voice-signaling';
import { readHarness } from './open-sdk-page';
import type { Harness } from './pages/harness';
import { launchSdkChromium, watchPageErrors } from './sdk-chromium';
import { startSdkPageServer, type SdkPageServer } from './sdk-page-server';
import { sleep, until } from './until';

type TabHarness = Harness & {
  identity: string;
  registeredHere: boolean;
  changes: { at: number; here: boolean }[];
  elsewhere: { at: number; sid: string; status: string }[];
  incoming: { at: number; sid: string }[];
  cancelled: { at: number; sid: string }[];
  deviceStates: string[];
};

interface Tab {
  page: Page;
  identity: string;
  errors: ReturnType<typeof watchPageErrors>;
}

const read = (tab: Tab) => readHarness(tab.page) as Promise<TabHarness>;

/** A stretch of time in which a tab had its Device attached (from its own report to its close or reload). */
interface UpInterval {
  from: number;
  to: number;
}

/**
 * The stretches in which some tab of `identity` was up and no socket of it was registered, replayed from
 * events: the tabs' attach times, the test's close and reload calls, and the fake server's registration
 * log (every time a Date.now() of this one machine). Returns when each began and ended.
 */
function registrationGaps(up: readonly UpInterval[], log: readonly RegistrationEvent[], identity: string, end: number): UpInterval[] {
  const events = [
    ...up.flatMap(({ from, to }) => [{ at: from, up: 1, registered: 0 }, { at: to, up: -1, registered: 0 }]),
    ...log.filter((event) => event.identity === identity).map((event) => ({ at: event.at, up: 0, registered: event.registered ? 1 : -1 })),
  ].sort((a, b) => a.at - b.at);
  const gaps: UpInterval[] = [];
  let upCount = 0;
  let registeredCount = 0;
  let gapStart: number | undefined;
  for (let i = 0; i < events.length; i++) {
    upCount += events[i]!.up;
    registeredCount += events[i]!.registered;
    if (events[i + 1]?.at === events[i]!.at) continue; // judge once all events of one instant are in
    const isGap = upCount > 0 && registeredCount === 0;
    if (isGap) gapStart ??= events[i]!.at;
    else if (gapStart !== undefined) {
      gaps.push({ from: gapStart, to: events[i]!.at });
      gapStart = undefined;
    }
  }
  if (gapStart !== undefined) gaps.push({ from: gapStart, to: end });
  return gaps;
}

/** The `p`-th percentile (0–100) of `values`, nearest rank. */
const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/** The bound: when the registered tab closes, another registers within 2 s. */
const TAKEOVER_BOUND_MS = 2_000;

/** The most sockets of `identity` registered at once, replayed exactly from the server's log. */
function mostAtOnce(log: readonly RegistrationEvent[], identity: string): number {
  let count = 0;
  let most = 0;
  for (const event of log) {
    if (event.identity !== identity) continue;
    count += event.registered ? 1 : -1;
    most = Math.max(most, count);
  }
  return most;
}

describe.runIf(hasChromium)("attachVoice({ register: 'one-tab' }) with the real @twilio/voice-sdk Device in Chromium", () => {
  let certificate: LoopbackCertificate;
  let script: string;
  let pageServer: SdkPageServer;
  let signaling: FakeVoiceSignaling;
  let browser: Awaited<ReturnType<typeof launchSdkChromium>>;
  let tabs: Tab[];
  /** Every 100 ms: the registered sockets per identity, as the server sees them. */
  let samples: { at: number; alice: number; bob: number }[];
  let sampler: NodeJS.Timeout;
  /** Each page's reports that its Device was attached (its own Date.now()). */
  let attachedReports: { page: Page; at: number }[];

  beforeAll(async () => {
    [certificate, script] = await Promise.all([makeLoopbackCertificate(), bundlePage('voice-one-tab.ts')]);
  });

  beforeEach(async () => {
    pageServer = await startSdkPageServer({ script, ttlSeconds: 3600 });
    signaling = await startFakeVoiceSignaling({ certificate });
    browser = await launchSdkChromium();
    attachedReports = [];
    await browser.context.exposeBinding('reportAttached', ({ page }, at: number) => {
      attachedReports.push({ page, at });
    });
    tabs = [];
    samples = [];
    sampler = setInterval(() => {
      samples.push({ at: Date.now(), alice: signaling.registeredCount('alice'), bob: signaling.registeredCount('bob') });
    }, 100);
  });

  afterEach(async () => {
    clearInterval(sampler);
    // The hard invariant, sampled and replayed from the log: never two registered sockets of one identity.
    expect(Math.max(0, ...samples.map((sample) => Math.max(sample.alice, sample.bob))), 'registered at once (sampled)').toBeLessThanOrEqual(1);
    const log = signaling.registrations.map((event) => JSON.stringify(event)).join('\n');
    expect(mostAtOnce(signaling.registrations, 'alice'), `registered at once (log):\n${log}`).toBeLessThanOrEqual(1);
    expect(mostAtOnce(signaling.registrations, 'bob'), `registered at once (log):\n${log}`).toBeLessThanOrEqual(1);
    for (const tab of tabs) {
      const harness = await read(tab);
      expect(harness.adapterErrors).toEqual([]);
      expect(harness.unhandled).toEqual([]);
      expect(tab.errors.uncaught).toEqual([]);
      expect(tab.errors.consoleErrors).toEqual([]);
    }
    expect(browser.escapes).toEqual([]);
    await browser.close();
    await signaling.close();
    await pageServer.close();
  });

  const url = (identity: string) => `${pageServer.url}/?chunderw=${signaling.chunderw}&identity=${identity}`;
  const isReady = (page: Page) =>
    page.waitForFunction(() => {
      const harness = (window as unknown as { harness?: Harness }).harness;
      return harness?.ready || harness?.fatal !== undefined;
    }, undefined, { timeout: 30_000 });

  async function open(identity = 'alice'): Promise<Tab> {
    const page = await browser.context.newPage();
    const tab = { page, identity, errors: watchPageErrors(page) };
    await page.goto(url(identity));
    await isReady(page);
    expect((await read(tab)).fatal).toBeUndefined();
    tabs.push(tab);
    return tab;
  }

  /**
   * Closes a tab as a user does (`beforeunload`, then `pagehide` and `unload`), or with `isAbrupt` as a
   * tab that is killed or discarded (no `beforeunload`; the SDK's `pagehide` still closes its socket).
   */
  async function close(tab: Tab, isAbrupt = false): Promise<void> {
    tabs.splice(tabs.indexOf(tab), 1);
    if (isAbrupt) return tab.page.close();
    // With runBeforeUnload, close() does not wait for the tab to go: wait for it, up to 30 s.
    const closed = new Promise<void>((resolve) => tab.page.once('close', () => resolve()));
    await tab.page.close({ runBeforeUnload: true });
    await Promise.race([closed, sleep(30_000)]);
  }

  /** The one tab of `identity` that says it is registered, once the server agrees. */
  async function holderOf(identity = 'alice'): Promise<Tab> {
    let holders: Tab[] = [];
    await until(`one registered tab of ${identity}`, async () => {
      if (signaling.registeredCount(identity) !== 1) return false;
      const mine = tabs.filter((tab) => tab.identity === identity);
      const flags = await Promise.all(mine.map(async (tab) => (await read(tab)).registeredHere));
      holders = mine.filter((_, i) => flags[i]);
      return holders.length === 1;
    }).catch(async (error: Error) => {
      // What each tab and the server say, to tell a stuck tab from a slow one.
      const states = await Promise.all(
        tabs.map(async (tab) => {
          const harness = await read(tab).catch(() => undefined);
          return JSON.stringify({ here: harness?.registeredHere, states: harness?.deviceStates, changes: harness?.changes, errors: harness?.adapterErrors, sdk: harness?.sdkErrors, fatal: harness?.fatal });
        }),
      );
      const log = signaling.registrations.slice(-6).map((event) => JSON.stringify(event));
      throw new Error(`${error.message}; server: ${signaling.registeredCount(identity)} registered; tabs:\n${states.join('\n')}\nlast log:\n${log.join('\n')}`);
    });
    return holders[0]!;
  }

  /** When the server last saw `identity` registered again after `since`, in ms after `since`. */
  const reRegisteredAfter = (identity: string, since: number) =>
    signaling.registrations.find((event) => event.identity === identity && event.registered && event.at >= since)!.at - since;

  it('three tabs: one registers, an invite rings there only, the others hear ringing then ended; the holder closes, another registers; another identity registers apart', async () => {
    const [a, b, c] = [await open(), await open(), await open()];
    const holder = await holderOf();
    const others = [a, b, c].filter((tab) => tab !== holder);

    expect(signaling.invite('alice', { callSid: 'CA0000000000000000000000000000c001', from: '+15550100', to: 'client:alice' })).toBe(1);
    await until('the call ringing here and heard elsewhere', async () => {
      const [mine, ...theirs] = await Promise.all([holder, ...others].map(read));
      return mine!.incoming.length === 1 && theirs.every((harness) => harness.elsewhere.length === 1);
    });
    signaling.cancel('alice', 'CA0000000000000000000000000000c001');
    await until('the cancel heard everywhere', async () => {
      const [mine, ...theirs] = await Promise.all([holder, ...others].map(read));
      return mine!.cancelled.length === 1 && theirs.every((harness) => harness.elsewhere.length === 2);
    });
    const [mine, ...theirs] = await Promise.all([holder, ...others].map(read));
    expect(mine!.elsewhere).toEqual([]);
    for (const harness of theirs) {
      expect(harness.incoming).toEqual([]); // rang in exactly one tab
      expect(harness.elsewhere.map((seen) => `${seen.sid} ${seen.status}`)).toEqual([
        'CA0000000000000000000000000000c001 ringing',
        'CA0000000000000000000000000000c001 ended',
      ]);
    }
    // Measured, not asserted (same machine, both in-page clocks): how long the relay took.
    const relayMs = Math.max(
      ...theirs.flatMap((harness) => [harness.elsewhere[0]!.at - mine!.incoming[0]!.at, harness.elsewhere[1]!.at - mine!.cancelled[0]!.at]),
    );

    const bob = await open('bob');
    expect(await holderOf('bob')).toBe(bob);
    expect(signaling.registeredCount('alice')).toBe(1);

    const closedAt = Date.now();
    await close(holder);
    const next = await holderOf(); // waits up to 30 s
    expect(others).toContain(next);
    // The bound, on the fake server's clock: from the close to the next registration on its wire.
    const takeoverMs = reRegisteredAfter('alice', closedAt);
    expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
    expect(signaling.registeredCount('bob')).toBe(1);
    console.info(`[voice one-tab] relay ≤ ${relayMs} ms; takeover after the holder closed: ${takeoverMs} ms`);
  }, 90_000);

  it('detach() in the holder unregisters its Device (audio:false on the wire) before another registers', async () => {
    await open();
    await open();
    const holder = await holderOf();
    const detachedAt = Date.now();
    await holder.page.evaluate(() => (window as unknown as { harness: Harness }).harness.detach!());
    const next = await holderOf();
    expect(next).not.toBe(holder);
    const log = signaling.registrations.filter((event) => event.at >= detachedAt);
    expect(log.map((event) => `${event.registered ? 'on' : 'off'} ${event.cause}`)).toEqual(['off unregister', 'on register']);
    expect(reRegisteredAfter('alice', detachedAt)).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
    const harness = await read(holder);
    expect(harness.deviceStates.at(-1)).toBe('unregistered');
    expect(harness.changes.map((change) => change.here)).toEqual([true, false]);
    console.info(`[voice one-tab] handover after detach(): ${reRegisteredAfter('alice', detachedAt)} ms`);
  }, 60_000);

  it('a seeded chaos run of 120 tab opens, closes and reloads never has two registrations, and registers again within 2 s of every disruption while a tab is up', async () => {
    let seed = 1919;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pool: Tab[] = [];
    // When each page last went down (closed or reloaded), by the test's clock; its attach reports before
    // that belong to the document that went.
    const downAt = new Map<Page, number>();
    const down: { page: Page; at: number }[] = [];
    const goDown = (page: Page) => {
      const at = Date.now();
      downAt.set(page, at);
      down.push({ page, at });
    };
    const isUp = (tab: Tab) => attachedReports.some((report) => report.page === tab.page && report.at > (downAt.get(tab.page) ?? -Infinity));
    const counts = { open: 0, close: 0, abruptClose: 0, reload: 0 };
    for (let step = 0; step < 120; step++) {
      const roll = random();
      if (pool.length === 0 || (roll < 0.4 && pool.length < 5)) {
        const page = await browser.context.newPage();
        const tab = { page, identity: 'alice', errors: watchPageErrors(page) };
        pool.push(tab);
        tabs.push(tab);
        await page.goto(url('alice'), { waitUntil: 'commit' });
        counts.open += 1;
      } else {
        // Half the time the tab that holds the registration: each of those is a handover.
        const here = await Promise.all(pool.map((tab) => tab.page.evaluate(() => (window as unknown as { harness?: { registeredHere?: boolean } }).harness?.registeredHere === true).catch(() => false)));
        const holderTab = pool.find((_, i) => here[i]);
        const tab = holderTab && random() < 0.5 ? holderTab : pool[Math.floor(random() * pool.length)]!;
        if (roll < 0.7) {
          pool.splice(pool.indexOf(tab), 1);
          // One close in four is abrupt (no beforeunload): the next holder waits out CLOSE_SETTLE_MS.
          const isAbrupt = random() < 0.25;
          goDown(tab.page);
          await close(tab, isAbrupt);
          counts[isAbrupt ? 'abruptClose' : 'close'] += 1;
        } else {
          goDown(tab.page);
          await tab.page.reload({ waitUntil: 'commit' });
          counts.reload += 1;
        }
      }
      await sleep(50 + Math.floor(random() * 350));
    }
    await until('the last tabs up', () => pool.every(isUp));
    await holderOf();
    const end = Date.now();

    // Each document's time up: from its attach report to its page's next close or reload (or the end).
    const up = attachedReports.map(({ page, at }) => ({
      from: at,
      to: Math.min(end, ...down.filter((event) => event.page === page && event.at >= at).map((event) => event.at)),
    }));
    const stretches = registrationGaps(up, signaling.registrations, 'alice', end);
    const gaps = stretches.map(({ from, to }) => to - from);
    // Each stretch from its last disruption: a tab closed or reloaded within it may be the one that had
    // just taken the lock over, and so starts the handover again.
    const handovers = stretches.map(({ from, to }) => to - Math.max(from, ...down.filter((event) => event.at > from && event.at < to).map((event) => event.at)));
    const registrations = signaling.registrations.filter((event) => event.registered).length;
    console.info(
      `[voice one-tab] chaos: ${counts.open} opens, ${counts.close} closes (+${counts.abruptClose} abrupt), ${counts.reload} reloads; ` +
        `${registrations} registrations; ${gaps.length} stretches with a tab up and none registered (from events): ` +
        `p50 ${percentile(gaps, 50)} ms, p95 ${percentile(gaps, 95)} ms, max ${percentile(gaps, 100)} ms; all: ${[...gaps].sort((a, b) => a - b).join(' ')}; ` +
        `from the last close or reload within each: p50 ${percentile(handovers, 50)} ms, p95 ${percentile(handovers, 95)} ms, max ${percentile(handovers, 100)} ms`,
    );
    expect(counts.open + counts.close + counts.abruptClose + counts.reload).toBe(120);
    expect(registrations).toBeGreaterThan(15);
    expect(gaps.length).toBeGreaterThan(10); // each handover is one
    // The bound, stated: when the tab that holds the registration closes, another registers within
    // 2 s. Judged on the tabs' and the fake server's own timestamps, for every stretch with a tab up and
    // none registered, from its last close or reload (the test's budget, 300 s, is far above the run's ~60 s).
    // The stretches whole are printed above: on a quiet machine they too stay under 2 s; under load, a
    // holder-to-be closed before it registers makes them longer.
    // On failure: what happened around the stretches over the bound (tabs up and down, sockets opened,
    // registrations), in ms from the run's start.
    const start = Math.min(...attachedReports.map((report) => report.at));
    const timeline = [
      ...attachedReports.map((report) => ({ at: report.at, what: 'tab up' })),
      ...down.map((event) => ({ at: event.at, what: 'tab down' })),
      ...signaling.listens.map((listen) => ({ at: listen.at, what: 'socket listen' })),
      ...signaling.registrations.map((event) => ({ at: event.at, what: `socket ${event.socket} ${event.registered ? 'REGISTERED' : 'unregistered'} (${event.cause})` })),
    ]
      .sort((a, b) => a.at - b.at)
      .map((event) => `${event.at - start} ${event.what}`);
    expect(Math.max(...handovers), `longest handover; timeline:\n${timeline.join('\n')}`).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
  }, 300_000);
});
