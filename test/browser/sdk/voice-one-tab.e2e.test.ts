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

  beforeAll(async () => {
    [certificate, script] = await Promise.all([makeLoopbackCertificate(), bundlePage('voice-one-tab.ts')]);
  });

  beforeEach(async () => {
    pageServer = await startSdkPageServer({ script, ttlSeconds: 3600 });
    signaling = await startFakeVoiceSignaling({ certificate });
    browser = await launchSdkChromium();
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

  async function close(tab: Tab): Promise<void> {
    tabs.splice(tabs.indexOf(tab), 1);
    await tab.page.close();
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
    // The issue's "within 2 s" is measured and reported; the bound asserted is until()'s generous 30 s.
    const next = await holderOf();
    expect(others).toContain(next);
    const takeoverMs = reRegisteredAfter('alice', closedAt);
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
    const harness = await read(holder);
    expect(harness.deviceStates.at(-1)).toBe('unregistered');
    expect(harness.changes.map((change) => change.here)).toEqual([true, false]);
    console.info(`[voice one-tab] handover after detach(): ${reRegisteredAfter('alice', detachedAt)} ms`);
  }, 60_000);

  it('a seeded chaos run of 120 tab opens, closes and reloads never has two registrations, and always one while a tab is up', async () => {
    let seed = 1919;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    // Tabs of the run: `up` once its Device is attached (until it closes or reloads).
    const pool: { tab: Tab; up: boolean; generation: number }[] = [];
    const watchUp = (entry: (typeof pool)[number]) => {
      const generation = ++entry.generation;
      entry.up = false;
      isReady(entry.tab.page).then(
        () => {
          if (entry.generation === generation) entry.up = true;
        },
        () => undefined, // closed meanwhile
      );
    };
    // Stretches with a tab up and none registered: their length, and how long they lasted after the last
    // open, close or reload (a holder closed while the next one settles starts the wait again).
    let gapStart: number | undefined;
    let lastActionAt = 0;
    const gaps: { ms: number; afterLastActionMs: number }[] = [];
    const gapSampler = setInterval(() => {
      const isUp = pool.some((entry) => entry.up);
      const now = Date.now();
      if (isUp && signaling.registeredCount('alice') === 0) gapStart ??= now;
      else if (gapStart !== undefined) {
        gaps.push({ ms: now - gapStart, afterLastActionMs: now - Math.max(gapStart, lastActionAt) });
        gapStart = undefined;
      }
    }, 100);
    const counts = { open: 0, close: 0, reload: 0 };
    try {
      for (let step = 0; step < 120; step++) {
        lastActionAt = Date.now();
        const roll = random();
        if (pool.length === 0 || (roll < 0.4 && pool.length < 5)) {
          const page = await browser.context.newPage();
          const entry = { tab: { page, identity: 'alice', errors: watchPageErrors(page) }, up: false, generation: 0 };
          pool.push(entry);
          tabs.push(entry.tab);
          await page.goto(url('alice'), { waitUntil: 'commit' });
          watchUp(entry);
          counts.open += 1;
        } else {
          // Half the time the tab that holds the registration: each of those is a handover.
          const here = await Promise.all(pool.map((entry) => entry.tab.page.evaluate(() => (window as unknown as { harness?: { registeredHere?: boolean } }).harness?.registeredHere === true).catch(() => false)));
          const holderEntry = pool.find((_, i) => here[i]);
          const entry = holderEntry && random() < 0.5 ? holderEntry : pool[Math.floor(random() * pool.length)]!;
          if (roll < 0.7) {
            pool.splice(pool.indexOf(entry), 1);
            entry.up = false;
            await close(entry.tab);
            counts.close += 1;
          } else {
            entry.up = false;
            await entry.tab.page.reload({ waitUntil: 'commit' });
            watchUp(entry);
            counts.reload += 1;
          }
        }
        await sleep(50 + Math.floor(random() * 350));
      }
      await until('the last tabs up', () => pool.every((entry) => entry.up));
      await holderOf();
    } finally {
      clearInterval(gapSampler);
    }
    const registrations = signaling.registrations.filter((event) => event.registered).length;
    const longest = Math.max(0, ...gaps.map((gap) => gap.ms));
    const longestAfterLast = Math.max(0, ...gaps.map((gap) => gap.afterLastActionMs));
    console.info(
      `[voice one-tab] chaos: ${counts.open} opens, ${counts.close} closes, ${counts.reload} reloads; ${registrations} registrations; ` +
        `${gaps.length} stretches with a tab up and none registered (sampled every 100 ms): longest ${longest} ms, ` +
        `longest after the last open/close/reload ${longestAfterLast} ms`,
    );
    expect(counts.open + counts.close + counts.reload).toBe(120);
    expect(registrations).toBeGreaterThan(15);
    // Measured above; asserted with a generous bound (the 2 s is the figure to read on a quiet machine).
    expect(longestAfterLast).toBeLessThan(20_000);
  }, 170_000);
});
