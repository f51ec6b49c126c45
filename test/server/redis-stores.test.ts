// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../examples/server/config';
import { BoundedMemoryCounter, RateLimiter, memoryCounters, type CounterFactory } from '../../examples/server/rate-limiter';
import { RedisOutage } from '../../examples/server/redis-outage';
import { MemorySessionStore, RedisSessionStore, SessionStoreUnavailableError, isSessionStoreUnavailable, type SessionRedis } from '../../examples/server/session-store';
import { createStores } from '../../examples/server/stores';

describe('RateLimiter', () => {
  it('counts in fixed windows of the app clock and says how long until the next one', async () => {
    let now = 120_000 + 15_000; // 15 s into a one-minute window
    const limiter = new RateLimiter('session', 2, 60_000, memoryCounters, () => now);
    expect(await limiter.take('s1')).toEqual({ allowed: true });
    expect(await limiter.take('s1')).toEqual({ allowed: true });
    expect(await limiter.take('s1')).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect(await limiter.take('s2')).toEqual({ allowed: true });
    now += 44_500;
    expect(await limiter.take('s1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 500; // the next window
    expect(await limiter.take('s1')).toEqual({ allowed: true });
  });

  it('hands a store failure on rather than reading it as "limited"', async () => {
    const failing: CounterFactory = () => ({ consume: () => Promise.reject(new Error('store down')) }) as never;
    await expect(new RateLimiter('session', 2, 60_000, failing).take('s1')).rejects.toThrow('store down');
  });

  // `perSession: Number(env.LIMIT)` with `LIMIT=` in a .env file is 0: every request was refused (429),
  // as with -1; NaN, Infinity and '30' stopped the server with rate-limiter-flexible's "points must be
  // set", which names no option; 2.5 counted as 2.
  it.each([Number.NaN, 0, -1, 2.5, Infinity, '30'])('refuses a limit of %s', (limit) => {
    expect(() => new RateLimiter('session', limit as number, 60_000)).toThrow(/session limit must be a whole number/);
  });

  it.each([0, 999, 1500.5])('refuses a window of %s ms', (windowMs) => {
    expect(() => new RateLimiter('session', 2, windowMs)).toThrow(/windowMs/);
  });
});

describe('BoundedMemoryCounter', () => {
  it('forgets the oldest key past maxKeys instead of growing', async () => {
    const counter = new BoundedMemoryCounter({ keyPrefix: 'test', points: 5, duration: 60 }, 3);
    for (const key of ['a', 'b', 'b', 'c', 'd']) await counter.consume(key);
    expect(await counter.get('a')).toBeNull(); // the first one in
    expect((await counter.get('b'))?.consumedPoints).toBe(2);
    expect((await counter.get('c'))?.consumedPoints).toBe(1);
    expect((await counter.get('d'))?.consumedPoints).toBe(1);
    for (let i = 0; i < 1_000; i++) await counter.consume(`flood-${i}`);
    expect(counter.dump().storage).toHaveLength(3);
  });
});

describe('RedisOutage', () => {
  const replyError = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

  it('warns once per outage and says once when Redis is back', () => {
    const lines: string[] = [];
    let now = 0;
    const outage = new RedisOutage((line) => lines.push(line), () => now);
    outage.up();
    for (let i = 0; i < 50; i++) outage.down('connect ECONNREFUSED 127.0.0.1:6379');
    expect(lines).toEqual([expect.stringMatching(/^warning: Redis is unreachable \(connect ECONNREFUSED 127\.0\.0\.1:6379\): rate limits fall back/)]);
    outage.up();
    outage.up();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/reachable again/);
    now += 60_000;
    outage.down('second\nline');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('second\\x0aline'); // an error message cannot forge a log line
    outage.up();
    outage.mute();
    outage.down('closed on purpose');
    expect(lines).toHaveLength(4);
  });

  it('warns of a flapping Redis at most once a minute, then says how many outages it left out', () => {
    const lines: string[] = [];
    let now = 0;
    const outage = new RedisOutage((line) => lines.push(line), () => now);
    for (let i = 0; i < 5; i++) {
      outage.down('connection closed');
      outage.up();
      now += 5_000;
    }
    expect(lines).toEqual([expect.stringMatching(/^warning: Redis is unreachable/), expect.stringMatching(/reachable again/)]);
    now = 60_000;
    outage.down('connection closed');
    expect(lines[2]).toMatch(/^warning: Redis is unreachable \(connection closed\).*\(4 more since the previous one, not logged\)$/);
  });

  it('still warns of an outage left out as one of many once it lasts past the minute', () => {
    const lines: string[] = [];
    let now = 0;
    const outage = new RedisOutage((line) => lines.push(line), () => now);
    outage.down('connection closed');
    outage.up();
    now = 10_000;
    outage.down('connection closed'); // left out: the last line still says "reachable again"
    expect(lines).toHaveLength(2);
    now = 59_999;
    outage.down('connect ECONNREFUSED'); // a reconnect attempt, still within the minute
    expect(lines).toHaveLength(2);
    now = 60_000;
    outage.down('connect ECONNREFUSED');
    outage.down('connect ECONNREFUSED');
    expect(lines.slice(2)).toEqual([expect.stringMatching(/^warning: Redis is unreachable \(connect ECONNREFUSED\)[^(]*$/)]);
    outage.up();
    expect(lines[3]).toMatch(/reachable again/);
  });

  it('keeps a refused write apart from a working read: no "reachable again" per request', () => {
    const lines: string[] = [];
    const outage = new RedisOutage((line) => lines.push(line), () => 0);
    const refused = replyError("OOM command not allowed when used memory > 'maxmemory'.");
    for (let i = 0; i < 20; i++) {
      outage.failed('rate-limits', refused); // the limiter's write, refused
      outage.succeeded('sessions'); // the session check's read, answered
    }
    expect(lines).toEqual([expect.stringMatching(/^warning: Redis refuses rate-limit updates \(OOM command not allowed/)]);
    expect(outage.isDown).toBe(true);
    outage.succeeded('rate-limits');
    expect(lines).toEqual([expect.stringMatching(/^warning: Redis refuses rate-limit updates/), 'Redis takes rate-limit updates again: rate limits are shared again']);
    expect(outage.isDown).toBe(false);
  });

  it('reads a failure that is not a refusal (a timeout, a closed socket) as Redis unreachable', () => {
    const lines: string[] = [];
    const outage = new RedisOutage((line) => lines.push(line), () => 0);
    outage.failed('sessions', new Error('Command timed out'));
    outage.failed('rate-limits', new Error('Redis connection is not ready'));
    expect(lines).toEqual([expect.stringMatching(/^warning: Redis is unreachable \(Command timed out\)/)]);
    outage.succeeded('sessions');
    expect(lines[1]).toMatch(/reachable again/);
  });
});

describe('RedisSessionStore', () => {
  const fakeRedis = () => {
    const keys = new Map<string, number>();
    const redis = {
      set: vi.fn(async (key: string, _value: string, _px: 'PX', ttlMs: number) => (keys.set(key, ttlMs), 'OK' as const)),
      exists: vi.fn(async (key: string) => (keys.has(key) ? 1 : 0)),
      del: vi.fn(async (key: string) => (keys.delete(key) ? 1 : 0)),
    };
    return { redis, keys };
  };

  it('keeps a key per session with the session expiry as TTL, by the app clock; logout deletes it', async () => {
    const { redis, keys } = fakeRedis();
    const reachable: boolean[] = [];
    const store = new RedisSessionStore(redis as unknown as SessionRedis, { now: () => 1_000, onReachable: (isReachable) => reachable.push(isReachable) });
    await store.add('abc', 1_000 + 12 * 3600_000);
    expect(redis.set).toHaveBeenCalledWith('ttl:session:abc', '1', 'PX', 12 * 3600_000);
    expect(await store.has('abc')).toBe(true);
    expect(await store.has('other')).toBe(false);
    await store.delete('abc');
    expect(keys.size).toBe(0);
    expect(await store.has('abc')).toBe(false);
    expect(reachable.every(Boolean)).toBe(true);
  });

  it('turns any Redis failure into SessionStoreUnavailableError with Retry-After, and says so', async () => {
    const { redis } = fakeRedis();
    const cause = new Error('Command timed out');
    redis.exists.mockRejectedValueOnce(cause);
    const heard: unknown[] = [];
    const store = new RedisSessionStore(redis as unknown as SessionRedis, { retryAfterSeconds: 7, onReachable: (isReachable, error) => heard.push(isReachable ? 'ok' : error) });
    const failure = await store.has('abc').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SessionStoreUnavailableError);
    expect(isSessionStoreUnavailable(failure)).toBe(true);
    expect(failure).toMatchObject({ retryAfterSeconds: 7, cause });
    expect(heard).toEqual([cause]);
    expect(await store.has('abc')).toBe(false);
    expect(heard).toEqual([cause, 'ok']);
  });
});

describe('REDIS_URL', () => {
  const env = { SESSION_SECRET: 'shared-secret' };
  /** The ConfigError \`loadConfig\` throws for this REDIS_URL (fails the test when it throws none). */
  const configErrorFor = (url: string): ConfigError => {
    try {
      loadConfig({ ...env, REDIS_URL: url });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error(`loadConfig accepted REDIS_URL=${url}`);
  };

  it('is read, and described without its password', () => {
    const config = loadConfig({ ...env, REDIS_URL: 'rediss://user:hunter2-password@redis.internal:6380/2' });
    expect(config.redisUrl).toBe('rediss://user:hunter2-password@redis.internal:6380/2');
    const described = describeConfig(config).join('\n');
    expect(described).toContain('Redis at rediss://redis.internal:6380/2');
    expect(described).not.toContain('hunter2');
    expect(describeConfig(loadConfig({})).join('\n')).toMatch(/memory \(set REDIS_URL/);
  });

  it('needs SESSION_SECRET, so that every instance accepts every other\'s cookies', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://localhost:6379' })).toThrow(/SESSION_SECRET/);
  });

  it.each(['not a url', 'http://redis.internal:6379', 'https://user:hunter2@redis.internal'])('refuses REDIS_URL=%s without echoing it', (url) => {
    const error = configErrorFor(url);
    expect(error.message).toMatch(/REDIS_URL/);
    expect(error.message).not.toContain('hunter2');
  });

  it.each(['redis://:ab%zzhunter2@redis.internal:6379', 'redis://us%e0er:hunter2@redis.internal', 'redis://:hunter2%@redis.internal'])(
    'refuses a user name or password that is not percent-encoded, %s, before ioredis would throw a URIError',
    (url) => {
      const error = configErrorFor(url);
      expect(error.message).toMatch(/REDIS_URL.*percent-encode the password/);
      expect(error.message).not.toMatch(/hunter2|zz|us%e0er/);
    },
  );

  it('takes a percent-encoded password, and connects with it decoded', () => {
    const config = loadConfig({ ...env, REDIS_URL: 'redis://:ab%25zz@redis.internal:6379' });
    expect(decodeURIComponent(new URL(config.redisUrl!).password)).toBe('ab%zz');
  });

  it('unset, keeps rate limits and sessions in memory', async () => {
    const stores = createStores(loadConfig({}), { log: () => {} });
    expect(stores.sessions).toBeInstanceOf(MemorySessionStore);
    expect(stores.rateLimitStore).toBe(memoryCounters);
    expect(await stores.ready()).toBe(true);
    await stores.close();
  });
});
