// @vitest-environment node
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { jwtVerify } from 'jose';
import { Miniflare, type RequestInit as WorkerRequestInit } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, API_KEY_SID, BINDINGS, ORIGIN, SECRET } from '../helpers/worker-bindings';

// examples/server/worker.ts with its SESSIONS and RATE_LIMITS Durable Objects, in workerd (miniflare).
//
// One Miniflare instance runs several Workers, each its own isolate with its own memory. The Durable
// Object classes live in one more script, `host`, and every Worker binds SESSIONS and RATE_LIMITS to
// that script's classes (`scriptName`): one namespace, and one live instance per object id, as on
// Cloudflare. (Two Miniflare instances on one persist directory would not do: each would run its own
// copy of every object over the same files, so nothing would serialize the two.) Workers `a` and `b`
// are two isolates of the same deployment; the others bind to objects that throw or never answer.

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Objects that fail as a store can: one whose every call throws, one that never answers.
const FAILING_OBJECTS = `
import { DurableObject } from 'cloudflare:workers';
export { SessionShard, RateLimitCounter } from ${JSON.stringify(here('../../examples/server/durable-objects.ts'))};
// Methods, not fields: RPC calls only what the class's prototype defines.
const fail = () => Promise.reject(new Error('storage is on fire'));
const never = () => new Promise((resolve) => setTimeout(resolve, 120_000));
export class ThrowingSessionShard extends DurableObject {
  add() { return fail(); }
  has() { return fail(); }
  delete() { return fail(); }
}
export class ThrowingRateLimitCounter extends DurableObject {
  take() { throw new Error('counter is on fire'); }
}
export class SilentSessionShard extends DurableObject {
  add() { return never(); }
  has() { return never(); }
  delete() { return never(); }
}
export default { fetch: () => new Response('the Durable Objects live here') };
`;

const bundle = async (options: Parameters<typeof build>[0]) => {
  const result = await build({
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*', 'cloudflare:*'],
    alias: { 'twilio-token-lifecycle/server': here('../../src/server/index.ts') },
    write: false,
    logLevel: 'silent',
    ...options,
  });
  return result.outputFiles![0]!.text;
};

const objects = (sessions: string | undefined, rateLimits: string | undefined) => ({
  ...(sessions ? { SESSIONS: { className: sessions, scriptName: 'host', useSQLite: true } } : {}),
  ...(rateLimits ? { RATE_LIMITS: { className: rateLimits, scriptName: 'host', useSQLite: true } } : {}),
});

let miniflare: Miniflare;
const output: string[] = [];

beforeAll(async () => {
  const [worker, host] = await Promise.all([
    bundle({ entryPoints: [here('../../examples/server/worker.ts')] }),
    bundle({ stdin: { contents: FAILING_OBJECTS, loader: 'ts', resolveDir: here('.') } }),
  ]);
  const deployment = (name: string, sessions?: string, rateLimits?: string, edgeLimit?: number) => ({
    name,
    ...(edgeLimit ? { ratelimits: { EDGE_RATE_LIMIT: { simple: { limit: edgeLimit, period: 60 as const } } } } : {}),
    modules: true,
    script: worker,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings: BINDINGS,
    durableObjects: objects(sessions, rateLimits),
  });
  miniflare = new Miniflare({
    handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
      for (const stream of [stdout, stderr]) {
        stream.on('data', (chunk: Buffer) => output.push(...String(chunk).split('\n').filter((line) => line.trim() !== '')));
      }
    },
    workers: [
      deployment('a', 'SessionShard', 'RateLimitCounter'),
      deployment('b', 'SessionShard', 'RateLimitCounter'),
      deployment('sessions-throw', 'ThrowingSessionShard', 'RateLimitCounter'),
      deployment('sessions-silent', 'SilentSessionShard', 'RateLimitCounter'),
      deployment('limits-throw', 'SessionShard', 'ThrowingRateLimitCounter'),
      deployment('memory'),
      deployment('coarse', 'SessionShard', 'RateLimitCounter', 3),
      { name: 'host', modules: true, script: host, compatibilityDate: '2025-09-01' },
    ],
  });
  await miniflare.ready;
}, 60_000);

afterAll(async () => {
  await miniflare?.dispose();
  expect(output.join('\n')).not.toContain(SECRET);
  expect(output.join('\n')).not.toMatch(/eyJ[\w-]+\.eyJ/); // no token in the log
});

/** What both Fetch APIs' responses have (miniflare answers with undici's). */
type AnyResponse = { status: number; headers: { get(name: string): string | null }; text(): Promise<string> };

/** A client at `address` (Cloudflare's CF-Connecting-IP), talking to one of the Workers. */
function client(workerName: string, address: string) {
  const send = async (path: string, cookie?: string, body?: unknown): Promise<AnyResponse> => {
    const init: WorkerRequestInit = {
      method: 'POST',
      headers: { Origin: ORIGIN, 'Content-Type': 'application/json', 'CF-Connecting-IP': address, ...(cookie ? { Cookie: cookie } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    // A Fetcher for that Worker alone (its types come from workers-types, which this project lacks).
    const worker = (await miniflare.getWorker(workerName)) as unknown as { fetch(url: string, init: WorkerRequestInit): Promise<AnyResponse> };
    return worker.fetch(`${ORIGIN}${path}`, init);
  };
  return {
    send,
    login: (identity = 'alice') => send('/api/login', undefined, { identity }),
    token: (cookie: string) => send('/api/token', cookie),
    logout: (cookie: string) => send('/api/logout', cookie),
  };
}

const cookieOf = (response: AnyResponse) => (response.headers.get('set-cookie') ?? '').split(';')[0]!;

async function expectError(response: AnyResponse, status: number, code: string, retryAfter?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({ error: { code, message: expect.any(String) } });
  if (retryAfter !== undefined) expect(response.headers.get('retry-after')).toBe(retryAfter);
}

/**
 * Windows are whole minutes of the real clock (workerd's clock cannot be moved): a burst that must land
 * in one window starts at least 30 s before the minute ends, far more than it takes on a loaded machine.
 */
async function startOfAWholeWindow() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 30_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

describe('the Worker on Durable Objects, two isolates', () => {
  it('admits exactly 10 sign-ins a minute from one address across both, then 429 with Retry-After', async () => {
    await startOfAWholeWindow();
    const [a, b] = [client('a', '203.0.113.10'), client('b', '203.0.113.10')];
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).login(`user${i}`)));
    const admitted = responses.filter((response) => response.status === 200);
    expect(admitted).toHaveLength(10);
    for (const response of responses.filter((response) => response.status !== 200)) {
      await expectError(response, 429, 'rate-limited');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
    // Another address has its own count.
    expect((await client('b', '203.0.113.11').login()).status).toBe(200);
  }, 120_000);

  it('ends a session on both when it logs out through the other, even for a copy of the cookie', async () => {
    const [a, b] = [client('a', '203.0.113.20'), client('b', '203.0.113.20')];
    const login = await a.login('carol');
    expect(login.status).toBe(200);
    const cookie = cookieOf(login);
    expect((await a.token(cookie)).status).toBe(200);
    expect((await b.token(cookie)).status).toBe(200);
    expect((await b.logout(cookie)).status).toBe(200);
    await expectError(await b.token(cookie), 401, 'no-session');
    await expectError(await a.token(cookie), 401, 'no-session');
  }, 60_000);

  it('signs in through one and gives a token through the other that jose verifies with the API secret', async () => {
    const [a, b] = [client('a', '203.0.113.30'), client('b', '203.0.113.30')];
    const login = await a.login('dana');
    expect(login.status).toBe(200);
    const response = await b.token(cookieOf(login));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = JSON.parse(await response.text()) as { token: string; identity: string };
    expect(body.identity).toBe('dana');
    const { payload } = await jwtVerify(body.token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'], issuer: API_KEY_SID, subject: ACCOUNT_SID });
    expect(payload.grants).toEqual({ identity: 'dana', video: {} });
    expect(payload.exp! - payload.iat!).toBe(600);
  }, 60_000);

  it('holds the per-session limit across both: 30 tokens a minute, then 429', async () => {
    await startOfAWholeWindow();
    const [a, b] = [client('a', '203.0.113.40'), client('b', '203.0.113.40')];
    const cookie = cookieOf(await a.login('erin'));
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).token(cookie)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(30);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
  }, 120_000);

  it('prints no per-isolate warning', async () => {
    await client('a', '203.0.113.50').token('ttl_session=none');
    await client('b', '203.0.113.50').token('ttl_session=none');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The Worker bound to no Durable Objects is first asked in the last test.
    expect(output.filter((line) => line.includes("live in this isolate's memory"))).toEqual([]);
  }, 60_000);
});

describe('RateLimitCounter', () => {
  it('counts to its limit per window, and counts a hit for an earlier window in the current one', async () => {
    const namespace = (await miniflare.getDurableObjectNamespace('RATE_LIMITS', 'a')) as unknown as {
      idFromName(name: string): unknown;
      get(id: unknown): { take(windowStart: number, limit: number): Promise<boolean> };
    };
    const counter = namespace.get(namespace.idFromName('test:window-order'));
    const takes = async (windowStart: number, count: number) => {
      const answers: boolean[] = [];
      for (let i = 0; i < count; i++) answers.push(await counter.take(windowStart, 3));
      return answers;
    };
    expect(await takes(60_000, 4)).toEqual([true, true, true, false]);
    expect(await takes(120_000, 2)).toEqual([true, true]);
    // An isolate still in the previous window: counted in this one, not a fresh window of its own.
    expect(await takes(60_000, 2)).toEqual([true, false]);
    expect(await takes(180_000, 1)).toEqual([true]);
  }, 60_000);
});

describe('SessionShard', () => {
  it('holds a session until its expiry by the caller\'s clock, and forgets it on delete', async () => {
    const namespace = (await miniflare.getDurableObjectNamespace('SESSIONS', 'b')) as unknown as {
      idFromName(name: string): unknown;
      get(id: unknown): { add(id: string, expiresAt: number): Promise<void>; has(id: string, now: number): Promise<boolean>; delete(id: string): Promise<void> };
    };
    const shard = namespace.get(namespace.idFromName('test:shard'));
    const expiresAt = Date.now() + 60_000;
    await shard.add('s1', expiresAt);
    await shard.add('s2', expiresAt);
    expect(await shard.has('s1', expiresAt - 1)).toBe(true);
    expect(await shard.has('s1', expiresAt)).toBe(false);
    expect(await shard.has('unknown', 0)).toBe(false);
    await shard.delete('s1');
    await shard.delete('never-added');
    expect(await shard.has('s1', 0)).toBe(false);
    expect(await shard.has('s2', 0)).toBe(true);
  }, 60_000);
});

describe('a Durable Object store that cannot answer', () => {
  it('that throws: 503 with Retry-After for sign-in and token, never a token, never a 500', async () => {
    const cookie = cookieOf(await client('a', '203.0.113.60').login('frank'));
    const broken = client('sessions-throw', '203.0.113.60');
    await expectError(await broken.token(cookie), 503, 'sessions-unavailable', '5');
    await expectError(await broken.login('grace'), 503, 'sessions-unavailable', '5');
    const logout = await broken.logout(cookie);
    await expectError(logout, 503, 'sessions-unavailable', '5');
    // Not known to have ended on the server, but this browser is signed out: the cookie goes anyway.
    expect(logout.headers.get('set-cookie')).toMatch(/^ttl_session=;.*Max-Age=0/);
    // Warned once, with the object's own error.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(output.filter((line) => line.includes('warning: the SESSIONS Durable Objects do not answer (storage is on fire)'))).toHaveLength(1);
  }, 60_000);

  it('that never answers: 503 with Retry-After once its time is up', async () => {
    const cookie = cookieOf(await client('a', '203.0.113.70').login('heidi'));
    await expectError(await client('sessions-silent', '203.0.113.70').token(cookie), 503, 'sessions-unavailable', '5');
    expect(output.some((line) => /warning: the SESSIONS Durable Objects do not answer \(no answer within 2000 ms\)/.test(line))).toBe(true);
  }, 60_000);

  it('for rate limits: counts in the isolate\'s memory instead, so the limit still holds there, and warns once', async () => {
    await startOfAWholeWindow();
    const limitsDown = client('limits-throw', '203.0.113.80');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await limitsDown.login(`user${i}`)).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    const warnings = () => output.filter((line) => line.includes('warning: the RATE_LIMITS Durable Objects do not answer (counter is on fire)'));
    for (const deadline = Date.now() + 10_000; warnings().length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings()).toHaveLength(1);
  }, 120_000);
});

describe('the rate-limit binding, a coarse first line', () => {
  it('turns an address away with 429 and Retry-After past its limit, before any store', async () => {
    await startOfAWholeWindow();
    const flood = client('coarse', '203.0.113.100');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await flood.token('ttl_session=none')).status);
    expect(statuses).toEqual([401, 401, 401]);
    // The sign-in limit (10) is far: this 429 is the binding's.
    await expectError(await flood.login('judy'), 429, 'rate-limited', '60');
    expect((await client('coarse', '203.0.113.101').login('judy')).status).toBe(200);
  }, 120_000);
});

describe('the Worker without the bindings', () => {
  it('keeps sessions and limits in memory and says so once', async () => {
    const memory = client('memory', '203.0.113.90');
    const cookie = cookieOf(await memory.login('ivan'));
    expect((await memory.token(cookie)).status).toBe(200);
    const warnings = () => output.filter((line) => line.includes("warning: sessions and rate limits live in this isolate's memory"));
    for (const deadline = Date.now() + 10_000; warnings().length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings()).toHaveLength(1);
  }, 60_000);
});
