// @vitest-environment node
import { serve } from '@hono/node-server';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MintInputError } from 'twilio-token-lifecycle/server';
import { createApp, type AppOptions } from '../../examples/server/app';
import { addressBucket, forwardedClientAddress, proxiedClientAddress } from '../../examples/server/client-address';
import { ConfigError, describeConfig, loadConfig } from '../../examples/server/config';
import { MemorySessionStore, SessionStoreUnavailableError } from '../../examples/server/session-store';

const SESSION_SECRET = 'session-secret-for-tests';
const env = (extra: Record<string, string> = {}) =>
  loadConfig({
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
    TWILIO_API_SECRET: 'secret-that-must-never-leak-0123456789',
    SESSION_SECRET,
    ...extra,
  });
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0]!;

async function expectError(response: Response, status: number, code: string, retryAfter?: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
  if (retryAfter !== undefined) expect(response.headers.get('retry-after')).toBe(retryAfter);
}

describe('the client address behind proxies (TRUST_PROXY_HOPS)', () => {
  const servers: Array<ReturnType<typeof serve>> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  });

  // The app as main.ts serves it; this test's fetches come from 127.0.0.1, which stands for the balancer.
  async function behindProxies(trustProxyHops: string, rateLimit: AppOptions['rateLimit']) {
    const config = env({ TRUST_PROXY_HOPS: trustProxyHops });
    const app = createApp(config, { clientAddress: proxiedClientAddress(config.trustProxyHops), rateLimit });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    servers.push(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const post = (path: string, forwardedFor: string, cookie?: string, body: unknown = {}) =>
      fetch(`${base}${path}`, json(body, { 'X-Forwarded-For': forwardedFor, ...(cookie ? { Cookie: cookie } : {}) }));
    const login = async (forwardedFor: string, identity: string) => {
      const response = await post('/api/login', forwardedFor, undefined, { identity });
      expect(response.status).toBe(200);
      return cookieOf(response);
    };
    return { post, login };
  }

  it('gives two clients behind one proxy their own per-address limit', async () => {
    const { post, login } = await behindProxies('1', { perSession: 1_000, perAddress: 3 });
    // Mallory signs in four times (four sessions) and spends her address's limit.
    const mallory = await Promise.all([1, 2, 3, 4].map((i) => login('203.0.113.7', `mallory${i}`)));
    const spent = [];
    for (const cookie of mallory) spent.push((await post('/api/token', '203.0.113.7', cookie)).status);
    expect(spent).toEqual([200, 200, 200, 429]);
    // Alice, another person behind the same balancer, is not limited by her.
    const alice = await login('198.51.100.2', 'alice');
    expect((await post('/api/token', '198.51.100.2', alice)).status).toBe(200);
  });

  it('never reads the left-most X-Forwarded-For entry, which the client writes itself', async () => {
    const { post, login } = await behindProxies('1', { perSession: 1_000, perAddress: 2 });
    const cookie = await login('203.0.113.7', 'mallory');
    expect((await post('/api/token', '203.0.113.7', cookie)).status).toBe(200);
    expect((await post('/api/token', '203.0.113.7', cookie)).status).toBe(200);
    // She sends her own header; the balancer appends the address it saw. A made-up one is no new bucket.
    for (const spoof of ['10.0.0.1', '1.1.1.1, 2.2.2.2', '2001:db8::1']) {
      await expectError(await post('/api/token', `${spoof}, 203.0.113.7`, cookie), 429, 'rate-limited');
    }
  });

  it('counts IPv6 clients by their /64', async () => {
    const { post, login } = await behindProxies('1', { perSession: 1_000, perAddress: 2 });
    const cookie = await login('2001:db8:1:2::a', 'mallory');
    expect((await post('/api/token', '2001:db8:1:2::a', cookie)).status).toBe(200);
    expect((await post('/api/token', '2001:db8:1:2:ffff:ffff:ffff:b', cookie)).status).toBe(200);
    await expectError(await post('/api/token', '2001:0db8:0001:0002::c', cookie), 429, 'rate-limited');
    expect((await post('/api/token', '2001:db8:1:3::a', cookie)).status).toBe(200);
  });

  it('ignores X-Forwarded-For by default: 0 hops counts the socket', async () => {
    const { post, login } = await behindProxies('0', { perSession: 1_000, perAddress: 2 });
    const cookie = await login('203.0.113.7', 'mallory');
    expect((await post('/api/token', '203.0.113.1', cookie)).status).toBe(200);
    expect((await post('/api/token', '203.0.113.2', cookie)).status).toBe(200);
    await expectError(await post('/api/token', '203.0.113.3', cookie), 429, 'rate-limited');
  });

  it('picks the entry just left of the trusted proxies', () => {
    expect(forwardedClientAddress('spoof, 198.51.100.2, 10.0.0.5', '10.0.0.9', 2)).toBe('198.51.100.2');
    expect(forwardedClientAddress('spoof, 198.51.100.2', '10.0.0.9', 1)).toBe('198.51.100.2');
    expect(forwardedClientAddress('198.51.100.2', '10.0.0.9', 3)).toBe('198.51.100.2'); // fewer than the hops
    expect(forwardedClientAddress(undefined, '10.0.0.9', 1)).toBe('10.0.0.9');
    expect(forwardedClientAddress(' , ', '10.0.0.9', 1)).toBe('10.0.0.9');
    expect(forwardedClientAddress('198.51.100.2', '10.0.0.9', 0)).toBe('10.0.0.9');
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::a', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:3:4:5:6', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::a]', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8::1.2.3.4', '2001:db8:0:0::/64'],
    ['unknown', 'unknown'],
  ])('counts %s as %s', (address, bucket) => {
    expect(addressBucket(address)).toBe(bucket);
  });

  it('is read from TRUST_PROXY_HOPS, 0 to 10, and described', () => {
    expect(env().trustProxyHops).toBe(0);
    expect(env({ TRUST_PROXY_HOPS: '2' }).trustProxyHops).toBe(2);
    expect(describeConfig(env({ TRUST_PROXY_HOPS: '2' })).join('\n')).toContain('Behind 2 trusted proxies');
    for (const bad of ['-1', '11', '1.5', 'yes']) expect(() => env({ TRUST_PROXY_HOPS: bad })).toThrow(ConfigError);
  });
});

describe('sign-ins and sign-outs are rate-limited per address', () => {
  const harness = (options: AppOptions = {}) => {
    const app = createApp(env(), { clientAddress: (c) => c.req.header('x-test-client'), ...options });
    const send = (path: string, client: string, body: unknown = {}, cookie?: string) =>
      app.request(`http://localhost${path}`, json(body, { 'X-Test-Client': client, ...(cookie ? { Cookie: cookie } : {}) }));
    return { send };
  };

  it('answers 429 with Retry-After past 10 a minute, and writes no session then', async () => {
    const sessions = new MemorySessionStore();
    const now = Date.UTC(2026, 0, 1, 12, 0, 20);
    const { send } = harness({ sessions, now: () => now });
    for (let i = 0; i < 10; i++) expect((await send('/api/login', '203.0.113.7', { identity: `bot${i}` })).status).toBe(200);
    const refused = await send('/api/login', '203.0.113.7', { identity: 'bot10' });
    await expectError(refused, 429, 'rate-limited', '40');
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(sessions.size).toBe(10);
    // Someone else signs in as usual.
    expect((await send('/api/login', '198.51.100.2', { identity: 'alice' })).status).toBe(200);
  });

  it('counts sign-outs too, with a limit set by rateLimit.loginsPerAddress', async () => {
    const { send } = harness({ rateLimit: { loginsPerAddress: 2 } });
    expect((await send('/api/login', '203.0.113.7', { identity: 'bot' })).status).toBe(200);
    expect((await send('/api/logout', '203.0.113.7')).status).toBe(200);
    await expectError(await send('/api/logout', '203.0.113.7'), 429, 'rate-limited');
    await expectError(await send('/api/login', '203.0.113.7', { identity: 'bot' }), 429, 'rate-limited');
  });
});

describe('logout while the session store is down', () => {
  it('answers 503 and still clears the cookie', async () => {
    const sessions = new MemorySessionStore();
    const app = createApp(env(), { sessions });
    const login = await app.request('http://localhost/api/login', json({ identity: 'alice' }));
    sessions.delete = () => {
      throw new SessionStoreUnavailableError('The session store (Redis) is unreachable', 5);
    };
    const logout = await app.request('http://localhost/api/logout', { method: 'POST', headers: { Cookie: cookieOf(login) } });
    expect(logout.headers.get('set-cookie')).toMatch(/^ttl_session=;.*Max-Age=0/);
    await expectError(logout, 503, 'sessions-unavailable', '5');
  });
});

describe('a session the signer refuses', () => {
  // A cookie this server signed before today's identity rules: `alice` + a zero-width space.
  const signedCookie = (session: object) => {
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    return `ttl_session=${payload}.${createHmac('sha256', SESSION_SECRET).update(payload).digest('base64url')}`;
  };

  it('is no session: 401 no-session, and the cookie is cleared, not a 500', async () => {
    const sessions = new MemorySessionStore();
    const session = { identity: 'alice\u200b', id: 'old-session', expiresAt: Date.now() + 3_600_000 };
    sessions.add(session.id, session.expiresAt);
    const log: string[] = [];
    const app = createApp(env(), { sessions, log: (line) => log.push(line) });
    const response = await app.request('http://localhost/api/token', { method: 'POST', headers: { Cookie: signedCookie(session) } });
    expect(response.headers.get('set-cookie')).toMatch(/^ttl_session=;.*Max-Age=0/);
    await expectError(response, 401, 'no-session');
    expect(log.filter((line) => line.startsWith('error:'))).toEqual([]);
  });

  it('still answers 500 for a MintInputError that is the server\'s own fault (not the identity)', async () => {
    const app = createApp(env(), {
      mint: () => {
        throw new MintInputError('invalid-sid', 'accountSid must be an Account SID: AC and 32 hex digits');
      },
    });
    const login = await app.request('http://localhost/api/login', json({ identity: 'alice' }));
    await expectError(await app.request('http://localhost/api/token', { method: 'POST', headers: { Cookie: cookieOf(login) } }), 500, 'internal');
  });
});
