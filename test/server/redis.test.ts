// @vitest-environment node
import { serve } from '@hono/node-server';
import { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type AppOptions } from '../../examples/server/app';
import { loadConfig } from '../../examples/server/config';
import { createStores } from '../../examples/server/stores';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';

// Two instances of the server, as behind a load balancer: two apps, two ports, one Redis.
const SECRET = 'secret-that-must-never-leak-0123456789';
// The app's clock, one second into a minute: windows are whole minutes, so Retry-After is 59.
const NOW = Date.UTC(2026, 0, 1, 12, 0, 1);
const WARNING = /^warning: Redis is unreachable/;
// Every request of these tests must answer well within this, Redis up, down or hung.
const ANSWER_WITHIN_MS = 5_000;

let redis: RedisServer;
let admin: Redis;
const running: Array<() => Promise<void>> = [];

// Started by the first test, in beforeEach: without redis-server every test fails (a failing beforeAll
// would only mark them skipped).
let started: Promise<void> | undefined;
const startOnce = () =>
  (started ??= (async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: true });
    admin.on('error', () => {}); // it sees the outages too
    await admin.connect();
  })());
const everyLogLine: string[] = [];
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
  for (const line of everyLogLine) {
    expect(line).not.toContain(SECRET);
    expect(line).not.toMatch(/eyJ[\w-]+\.eyJ/); // no token
  }
});
beforeEach(async () => {
  await startOnce();
  if (!redis.isRunning) await redis.start(); // a failed outage test must not fail the next one
  redis.resume();
  await admin.flushall();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

async function startInstance(rateLimit: AppOptions['rateLimit'], now: () => number = () => NOW) {
  const config = loadConfig({
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
    TWILIO_API_SECRET: SECRET,
    SESSION_SECRET: 'the-same-on-every-instance',
    REDIS_URL: redis.url,
  });
  const log: string[] = [];
  const record = (line: string) => (log.push(line), everyLogLine.push(line));
  const stores = createStores(config, { log: record, now });
  expect(await stores.ready(5_000)).toBe(true);
  const app = createApp(config, { sessions: stores.sessions, rateLimitStore: stores.rateLimitStore, rateLimit, now, log: record });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  running.push(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stores.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const send = (path: string, cookie?: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS), // a hung request fails the test
    });
  const login = async (identity = 'alice') => {
    const response = await send('/api/login', undefined, { identity });
    expect(response.status).toBe(200);
    return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  };
  const token = (cookie: string) => send('/api/token', cookie);
  const warnings = () => log.filter((line) => WARNING.test(line));
  return { send, login, token, log, warnings };
}

async function expectError(response: Response, status: number, code: string, retryAfter?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
  if (retryAfter !== undefined) expect(response.headers.get('retry-after')).toBe(retryAfter);
}

const statusesOf = (responses: Response[]) => responses.map((response) => response.status).sort();

async function eventually<T>(attempt: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt().catch(() => undefined);
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('two instances on one Redis', () => {
  it('hold a burst spread over both to one per-session limit: 429 with Retry-After past it', async () => {
    const a = await startInstance({ perSession: 6, perAddress: 1_000 });
    const b = await startInstance({ perSession: 6, perAddress: 1_000 });
    const cookie = await a.login();
    // All at once, alternating: each instance alone would allow 6, so in memory all 10 would pass.
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a).token(cookie)));
    expect(statusesOf(burst)).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    for (const limited of burst.filter((response) => response.status === 429)) await expectError(limited, 429, 'rate-limited', '59');
    for (const ok of burst.filter((response) => response.status === 200)) expect((await ok.json()).identity).toBe('alice');
    expect([...a.warnings(), ...b.warnings()]).toEqual([]);
  });

  it('share the per-address limit across sessions signed in on either', async () => {
    const a = await startInstance({ perSession: 1_000, perAddress: 4 });
    const b = await startInstance({ perSession: 1_000, perAddress: 4 });
    const cookies = [await a.login('alice'), await b.login('bob'), await a.login('carol')];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await (i % 2 ? b : a).token(cookies[i % 3]!)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('end a session on both when it logs out on one, even for a copy of the cookie', async () => {
    const a = await startInstance({});
    const b = await startInstance({});
    const cookie = await a.login();
    expect((await b.token(cookie)).status).toBe(200);
    expect((await a.send('/api/logout', cookie)).status).toBe(200);
    await expectError(await b.token(cookie), 401, 'no-session');
    await expectError(await a.token(cookie), 401, 'no-session');
    // A session signed in on B works on A.
    const again = await b.login();
    expect((await a.token(again)).status).toBe(200);
  });
});

describe('when Redis goes away', () => {
  it('limits per instance with one warning, answers 503 with Retry-After for sessions, and heals when it is back', async () => {
    let now = NOW;
    const a = await startInstance({ perSession: 3, perAddress: 1_000 }, () => now);
    const b = await startInstance({ perSession: 3, perAddress: 1_000 }, () => now);
    const cookie = await a.login();
    expect((await b.token(cookie)).status).toBe(200);

    await redis.kill();
    for (const instance of [a, b]) {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await instance.token(cookie);
        statuses.push(response.status);
        if (response.status === 503) await expectError(response, 503, 'sessions-unavailable', '5');
        else await expectError(response, 429, 'rate-limited', '59');
      }
      // Counted in this instance's memory: 3 pass the limit (then fail the session check), the rest are
      // limited. Never a 200: whether the session logged out cannot be known.
      expect(statuses).toEqual([503, 503, 503, 429, 429]);
      await expectError(await instance.send('/api/login', undefined, { identity: 'dave' }), 503, 'sessions-unavailable', '5');
      const logout = await instance.send('/api/logout', cookie);
      // Not known to have ended on the server, but this browser is signed out: the cookie goes anyway.
      expect(logout.headers.get('set-cookie')).toMatch(/^ttl_session=;.*Max-Age=0/);
      await expectError(logout, 503, 'sessions-unavailable', '5');
      expect(instance.warnings()).toHaveLength(1);
    }

    await redis.start(); // same port, empty: every session is gone
    const fresh = await eventually(async () => {
      const response = await a.send('/api/login', undefined, { identity: 'erin' });
      return response.status === 200 ? (response.headers.get('set-cookie') ?? '').split(';')[0]! : undefined;
    }, 'a sign-in once Redis is back');
    await eventually(async () => ((await b.token(fresh)).status === 200 ? true : undefined), 'a token on the other instance');
    await expectError(await a.token(cookie), 401, 'no-session');
    // Shared again: B's token above and two more spread over both meet the limit of 3.
    expect(statusesOf([await a.token(fresh), await b.token(fresh), await a.token(fresh)])).toEqual([200, 200, 429]);
    for (const instance of [a, b]) {
      expect(instance.warnings()).toHaveLength(1);
      expect(instance.log.some((line) => /reachable again/.test(line))).toBe(true);
    }

    // A second outage a minute later is a second warning, not silence.
    now += 60_000;
    await redis.kill();
    await expectError(await a.token(fresh), 503, 'sessions-unavailable', '5');
    expect(a.warnings()).toHaveLength(2);
  });

  it('answers 503 in bounded time when Redis hangs, and then at once rather than per command', async () => {
    const a = await startInstance({});
    const cookie = await a.login();
    redis.pause();
    try {
      await expectError(await a.token(cookie), 503, 'sessions-unavailable', '5');
      // The silent socket is dropped, so later requests do not each wait out 500 ms per command
      // (they took 1.5 s each): five in a row in well under one such request's old cost each.
      const started = performance.now();
      for (let i = 0; i < 5; i++) await expectError(await a.token(cookie), 503, 'sessions-unavailable', '5');
      expect(performance.now() - started).toBeLessThan(2_500);
      expect(a.warnings()).toHaveLength(1);
    } finally {
      redis.resume();
    }
    await eventually(async () => ((await a.token(cookie)).status === 200 ? true : undefined), 'a token once Redis answers');
    expect(a.log.some((line) => /reachable again/.test(line))).toBe(true);
  });

  it('keeps the log to a few lines when Redis answers reads but refuses writes (full, noeviction)', async () => {
    const a = await startInstance({});
    const cookie = await a.login();
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    try {
      // The limits' writes are refused (OOM) and count in memory; the session check's read still works.
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await a.token(cookie)).status);
      expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
      await expectError(await a.send('/api/login', undefined, { identity: 'dave' }), 503, 'sessions-unavailable', '5');
      for (let i = 0; i < 5; i++) expect((await a.token(cookie)).status).toBe(200);
      const troubles = a.log.filter((line) => !/^(GET|POST) /.test(line));
      expect(troubles).toEqual([
        expect.stringMatching(/^warning: Redis refuses rate-limit updates \(OOM command not allowed/),
        expect.stringMatching(/^warning: Redis refuses session commands \(OOM command not allowed/),
        'Redis takes session commands again',
      ]);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    expect((await a.token(cookie)).status).toBe(200);
    expect(a.log.at(-2)).toBe('Redis takes rate-limit updates again: rate limits are shared again');
  });
});

describe('sign-ins on two instances', () => {
  it('share one per-address limit, 429 with Retry-After past it', async () => {
    const a = await startInstance({ loginsPerAddress: 3 });
    const b = await startInstance({ loginsPerAddress: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await (i % 2 ? b : a).send('/api/login', undefined, { identity: `user${i}` });
      statuses.push(response.status);
      if (response.status === 429) await expectError(response, 429, 'rate-limited', '59');
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
