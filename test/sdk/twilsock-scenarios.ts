import { afterEach, expect, it } from 'vitest';
import type { AttachOptions, Detach, TokenManager } from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
import { conversationsRest } from './conversations-rest';
import { foreignDials, sleep, startHarness, waitFor, type Harness } from './twilsock-harness';

/**
 * The token rules every twilsock adapter owes, run against a real SDK client (Conversations, Chat or
 * Sync) on the fake twilsock server, in real time with short-lived tokens.
 */

/** What the scenarios use of a real client. */
/** Where a Conversations or Chat client finds the fakes: twilsock, and the REST services it starts with. */
export const chatLikeOptions = (urls: { twilsock: string; rest: string }) => ({
  twilsock: { uri: urls.twilsock },
  apiUri: `${urls.rest}/aim`,
  typingUri: `${urls.rest}/aim`,
  cdsUri: `${urls.rest}/cds`, // the embedded SyncClient reads the top-level options
  Sync: { cdsUri: `${urls.rest}/cds` },
  logLevel: 'silent' as const,
});

export interface RealClient {
  updateToken(token: string): Promise<unknown>;
  on(event: 'connectionStateChanged', listener: (state: string) => void): unknown;
  shutdown(): Promise<void>;
}

export interface TwilsockKit {
  name: string;
  /** Creates the real client, pointed at the fake only. */
  create(jwt: string, urls: { twilsock: string; rest: string }): Promise<RealClient> | RealClient;
  attach(manager: TokenManager, client: never, options?: AttachOptions): Detach;
}

interface StartOptions {
  ttlSeconds: number;
  aboutToExpireLeadMs?: number;
  manager?: Parameters<Harness['createManager']>[0];
  /** Create the client with this JWT instead of the manager's first token. */
  createWith?: string;
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
  // Nothing dialled off loopback: every URL the SDKs used pointed at the fakes.
  expect(foreignDials).toEqual([]);
});

async function start(kit: TwilsockKit, options: StartOptions) {
  const harness = await startHarness({
    ttlSeconds: options.ttlSeconds,
    aboutToExpireLeadMs: options.aboutToExpireLeadMs,
    rest: (request) => conversationsRest(`http://${request.host}`)(request),
  });
  cleanups.push(() => harness.close());
  const manager = harness.createManager(options.manager);
  const jwt = options.createWith ?? (await manager.getToken()).jwt;
  const client = await kit.create(jwt, { twilsock: harness.twilsock.url, rest: harness.twilsock.restBase });
  // Shutdown can wait for a start that never finishes (Conversations awaits its first init): bounded.
  // The pause first lets an `update` the fake has just answered land: twilsock 1.0.2 (and Chat's 0.12.2)
  // has a defect here. An update whose request fails without a reply (the socket closes under it) ends
  // in `this.emit("error", false, …)` in TwilsockChannel#sendUpdate, an EventEmitter "error" nobody
  // listens to, so it throws ERR_UNHANDLED_ERROR inside an async function: an unhandled rejection that
  // is twilsock's, not this library's. Seen once here when a test shut its client down a few ms after
  // the last update went out.
  cleanups.push(async () => {
    await sleep(300);
    await Promise.race([client.shutdown().catch(() => undefined), sleep(2_000)]);
  });
  const states: { state: string; at: number }[] = [];
  // Chat's create resolves once connected: start from the state the client reports.
  let state = (client as { connectionState?: string }).connectionState ?? 'unknown';
  client.on('connectionStateChanged', (next) => {
    state = next;
    states.push({ state: next, at: Date.now() });
  });
  // What the adapter hands the client, as the client sees it.
  const handed: string[] = [];
  const updateToken = client.updateToken.bind(client);
  client.updateToken = (token: string) => {
    handed.push(token);
    return updateToken(token);
  };
  const detach = kit.attach(manager, client as never, { onError: harness.onError, createdWith: jwt });
  cleanups.push(detach);
  return { harness, fake: harness.twilsock, manager, client, states, handed, isConnected: () => state === 'connected' };
}

/** Every upstream (REST) call went to the fake's own host. */
function expectLoopbackRest(harness: Harness) {
  for (const call of harness.twilsock.upstream) expect(call.host).toBe(harness.twilsock.host);
}

export function twilsockScenarios(kit: TwilsockKit) {
  it('keeps the token on the wire valid over three refresh cycles, each token sent once, and ignores an early hint', async () => {
    // 6 s tokens: the manager refreshes 1.5 s before the held expiry (which is up to 1 s before exp, for
    // the whole-second iat), so 1.5-2.5 s before exp; the server's warning comes 4 s before it, outside the
    // refresh window, so it must not cause a request.
    const { harness, fake, isConnected } = await start(kit, { ttlSeconds: 6, aboutToExpireLeadMs: 4_000 });
    await waitFor(isConnected, 10_000, `${kit.name} connects`);
    await waitFor(() => fake.received.filter((t) => t.method === 'update').length >= 3, 25_000, 'three updates on the wire');
    const wire = fake.received;
    expect(wire.every((token) => token.accepted)).toBe(true);
    expect(wire.filter((token) => token.method === 'init')).toHaveLength(1); // never dropped, never reconnected
    expect(fake.expiredCloses).toBe(0);
    for (let i = 1; i < wire.length; i++) {
      expect(wire[i]!.at).toBeLessThan(wire[i - 1]!.expiresAt);
      // At the manager's schedule (1.5-2.5 s before expiry), not at the warning 4 s before it.
      expect(wire[i]!.at).toBeGreaterThan(wire[i - 1]!.expiresAt - 3_500);
    }
    expect(new Set(wire.map((token) => token.jwt)).size).toBe(wire.length);
    // The server warned in every cycle, and the warnings fetched nothing: one request per token.
    expect(fake.warningsSent).toBeGreaterThanOrEqual(3);
    expect(harness.requestTimes.length).toBeLessThanOrEqual(wire.length + 1);
    expect(harness.errors).toEqual([]);
    expectLoopbackRest(harness);
  }, 120_000);

  it('fetches and updates on a server warning inside the refresh window when the schedule has failed', async () => {
    // 12 s tokens, refreshed 3 s early; that request fails and the manager's own retry is ~20 s away.
    const { harness, fake, isConnected } = await start(kit, {
      ttlSeconds: 12,
      aboutToExpireLeadMs: 2_000,
      manager: { retry: { baseDelayMs: 20_000, maxDelayMs: 20_000 }, random: () => 0.99 },
    });
    await waitFor(isConnected, 10_000, `${kit.name} connects`);
    const expiresAt = fake.received[0]!.expiresAt;
    harness.tokens.next((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'unavailable', message: 'once' } }));
    });
    await waitFor(() => fake.received.some((t) => t.method === 'update'), 14_000, 'an update after the warning');
    const update = fake.received.find((t) => t.method === 'update')!;
    expect(update.accepted).toBe(true);
    expect(update.at).toBeGreaterThanOrEqual(expiresAt - 2_000 - 200); // sent for the warning...
    expect(update.at).toBeLessThan(expiresAt); // ...and before the old token expired
    expect(fake.expiredCloses).toBe(0);
    expect(harness.tokens.requests).toHaveLength(3); // first, the failed refresh, the warning's
  }, 120_000);

  it('is connected again with a new valid token within 15 s after a 410 close', async () => {
    const { harness, fake, isConnected, states } = await start(kit, { ttlSeconds: 60 });
    await waitFor(isConnected, 10_000, `${kit.name} connects`);
    await sleep(1_100); // the token server's next token differs from the first
    const closedAt = Date.now();
    fake.expireNow();
    await waitFor(() => states.some((s) => s.at > closedAt && s.state === 'disconnecting'), 30_000, 'the client sees the close');
    await waitFor(() => states.some((s) => s.at > closedAt && s.state === 'connected'), 40_000, 'connected again after the 410');
    const reconnectMs = Date.now() - closedAt;
    const last = fake.lastAccepted()!;
    expect(last.at).toBeGreaterThan(closedAt);
    expect(last.jwt).not.toBe(fake.received[0]!.jwt);
    expect(last.expiresAt).toBeGreaterThan(Date.now());
    console.info(`[${kit.name}] connected again ${reconnectMs} ms after the 410 close`);
    await sleep(1_500);
    expect(harness.requestTimes.length).toBeLessThanOrEqual(3); // no request after it is connected
    expect(harness.errors.filter((e) => e.code === 'update-failed')).toEqual([]);
  }, 120_000);

  it('is connected again within 15 s after its token really expired while the token endpoint was down', async () => {
    // 20 s tokens refreshed 1 s early: after the recovery the manager's next own refresh is 19 s away,
    // so only the adapter can reconnect the client within 15 s.
    const { harness, fake, isConnected, states } = await start(kit, {
      ttlSeconds: 20,
      manager: { refreshBeforeMs: 1_000, retry: { baseDelayMs: 1_000, maxDelayMs: 2_000 }, random: () => 0.99 },
    });
    await waitFor(isConnected, 10_000, `${kit.name} connects`);
    harness.setTokenServerDown(true); // the scheduled refresh and its retries fail
    await waitFor(() => fake.expiredCloses > 0, 25_000, 'the 410 close at expiry');
    const closedAt = Date.now();
    harness.setTokenServerDown(false); // back at once: the new token comes while twilsock is closing
    await waitFor(() => states.some((s) => s.at > closedAt && s.state === 'connected'), 40_000, 'connected again after the 410');
    console.info(`[${kit.name}] connected again ${Date.now() - closedAt} ms after the expiry`);
    expect(fake.lastAccepted()!.at).toBeGreaterThan(closedAt);
    expect(fake.lastAccepted()!.expiresAt).toBeGreaterThan(Date.now());
  }, 120_000);

  it('when every token is refused with 20104: at most one request a second, backing off, reported with the SDK’s code', async () => {
    const { harness, fake, isConnected, handed } = await start(kit, { ttlSeconds: 600 });
    await waitFor(isConnected, 10_000, `${kit.name} connects`);
    fake.refuseEveryToken();
    await sleep(1_100);
    const since = Date.now();
    const before = harness.requestTimes.length;
    fake.expireNow(); // reconnect with a new token, which the server refuses, and so on
    await sleep(16_000);
    const times = harness.requestTimes.slice(before).map((t) => t - since);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    console.info(`[${kit.name}] token requests under 20104, ms after the close: ${times.join(', ')}`);
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(6); // 1 + 2 + 4 + 8 s: five or so in 16 s, never a loop
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]! * 1.5);
    expect(fake.connections).toBeLessThanOrEqual(times.length + 2); // a socket per token, not per event
    const rejected = harness.errors.filter((e) => e.code === 'token-rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]!.serverError?.code).toBe('20104');
    expect(new Set(handed).size).toBe(handed.length);
  }, 120_000);

  it('after a refusal never hands the identical JWT: it waits for a different one, then recovers', async () => {
    const { harness, fake, isConnected, handed } = await start(kit, { ttlSeconds: 600 });
    await waitFor(isConnected, 10_000, `${kit.name} connects`);
    fake.refuseEveryToken();
    harness.freezeMinting(Date.now() + 1_000); // the endpoint repeats one token's bytes from now on
    await sleep(1_100);
    fake.expireNow();
    await waitFor(() => fake.received.some((t) => !t.accepted), 10_000, 'a refused token');
    const refused = fake.received.find((t) => !t.accepted)!.jwt;
    await sleep(3_500); // two more attempts get the same bytes
    expect(handed.filter((jwt) => jwt === refused)).toHaveLength(1);
    fake.refuseEveryToken(false);
    harness.freezeMinting(undefined);
    const since = Date.now();
    await waitFor(isConnected, 15_000, 'connected once a different token comes');
    expect(fake.lastAccepted()!.jwt).not.toBe(refused);
    expect(fake.lastAccepted()!.at).toBeGreaterThanOrEqual(since);
    expect(new Set(handed).size).toBe(handed.length);
  }, 120_000);

  it('recovers a client created with an expired token, with no false update-failed', async () => {
    const expired = mintTestToken({ ttlSeconds: 10, issuedAt: Date.now() - 20_000 });
    const { harness, fake, isConnected } = await start(kit, { ttlSeconds: 600, createWith: expired });
    await waitFor(isConnected, 15_000, `${kit.name} connects with a new token`);
    expect(fake.received[0]).toMatchObject({ jwt: expired, accepted: false });
    expect(fake.lastAccepted()!.jwt).not.toBe(expired);
    await sleep(1_000); // a late rejection of the update would show up here
    expect(harness.errors.map((e) => e.code).filter((code) => code !== 'token-rejected')).toEqual([]);
    expect(harness.errors.find((e) => e.code === 'token-rejected')?.serverError?.code).toBe('20104');
  }, 120_000);
}
