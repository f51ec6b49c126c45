// @vitest-environment node
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessToken } from 'twilio-token-lifecycle';
import { createApp, type AppOptions } from '../../examples/server/app';
import { loadConfig, type ServerConfig } from '../../examples/server/config';
import { MemorySessionStore } from '../../examples/server/session-store';
import { mintAccessToken as mintWithWebCrypto } from '../../examples/server/mint-access-token-webcrypto';

const SECRET = 'secret-that-must-never-leak-0123456789';
const ORIGIN = 'http://localhost';
const config = (env: Record<string, string> = {}): ServerConfig =>
  loadConfig({
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
    TWILIO_API_SECRET: SECRET,
    SESSION_SECRET: 'session-secret-for-tests',
    ...env,
  });

// Every response any test saw, to prove the secret never leaves and no bad input makes a 500.
const seen: Array<{ status: number; text: string; headers: string }> = [];
const logLines: string[] = [];

function harness(env: Record<string, string> = {}, options: AppOptions = {}) {
  const app = createApp(config(env), { log: (line) => logLines.push(line), ...options });
  const send = async (path: string, init: RequestInit & { cookie?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.cookie) headers.set('Cookie', init.cookie);
    const response = await app.request(`${ORIGIN}${path}`, { ...init, headers });
    const text = await response.clone().text();
    seen.push({ status: response.status, text, headers: JSON.stringify([...response.headers]) });
    return response;
  };
  const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const login = async (identity = 'alice') => {
    const response = await send('/api/login', json({ identity }));
    expect(response.status).toBe(200);
    return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  };
  return { app, send, json, login };
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const body = await response.json();
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(body.error.message).not.toMatch(/\n\s+at /); // no stack trace
}

afterAll(() => {
  for (const response of seen) {
    // The only 5xx is the demo's outage switch, which answers 503 on purpose.
    if (response.status >= 500) expect(response.text).toContain('simulated-outage');
    expect(response.text).not.toContain(SECRET);
    expect(response.headers).not.toContain(SECRET);
  }
  expect(seen.length).toBeGreaterThan(30);
  for (const line of logLines) {
    expect(line).not.toContain(SECRET);
    expect(line).not.toMatch(/eyJ[\w-]+\.eyJ/); // no token
  }
});

describe('sessions', () => {
  it('signs in with an HttpOnly, SameSite=Strict signed cookie and answers the identity', async () => {
    const { send, json } = harness();
    const response = await send('/api/login', json({ identity: 'alice' }));
    expect(await response.json()).toEqual({ identity: 'alice' });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^ttl_session=[^;]+\.[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
  });

  it('issues a token for the session identity, never the one in the request', async () => {
    const { send, json, login } = harness({ TOKEN_TTL: '600' });
    const cookie = await login('alice');
    const response = await send('/api/token', { ...json({ identity: 'mallory' }), cookie });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'identity', 'token']);
    expect(body.identity).toBe('alice');
    const token = parseAccessToken(body.token);
    expect(token.identity).toBe('alice');
    expect(token.expiresAt - token.issuedAt).toBe(600_000);
    expect(body.expiresAt).toBe(token.expiresAt);
    expect(token.grants.video).toEqual({});
  });

  it('puts a requested room in the video grant, and refuses a bad room', async () => {
    const { send, json, login } = harness();
    const cookie = await login();
    const response = await send('/api/token', { ...json({ room: 'standup' }), cookie });
    expect(parseAccessToken((await response.json()).token).grants.video).toEqual({ room: 'standup' });
    await expectError(await send('/api/token', { ...json({ room: 'x'.repeat(129) }), cookie }), 400, 'invalid-room');
    await expectError(await send('/api/token', { ...json({ room: 7 }), cookie }), 400, 'invalid-room');
  });

  it('adds chat, sync and voice grants from the environment', async () => {
    const { send, login } = harness({
      TWILIO_CHAT_SERVICE_SID: 'IS0123456789abcdef0123456789abcde1',
      TWILIO_SYNC_SERVICE_SID: 'IS0123456789abcdef0123456789abcde2',
      TWILIO_TWIML_APP_SID: 'AP0123456789abcdef0123456789abcdef',
    });
    const cookie = await login('alice_1');
    const token = parseAccessToken((await (await send('/api/token', { method: 'POST', cookie })).json()).token);
    expect(token.grants.chat).toEqual({ service_sid: 'IS0123456789abcdef0123456789abcde1' });
    expect(token.grants.data_sync).toEqual({ service_sid: 'IS0123456789abcdef0123456789abcde2' });
    expect(token.grants.voice).toEqual({ incoming: { allow: true }, outgoing: { application_sid: 'AP0123456789abcdef0123456789abcdef' } });
  });

  it('writes TWILIO_REGION into each token as the header twr, and none without it', async () => {
    const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    for (const [env, twr] of [[{ TWILIO_REGION: 'ie1' }, 'ie1'], [{}, undefined]] as const) {
      const { send, login } = harness(env);
      const cookie = await login('alice');
      const { token } = (await (await send('/api/token', { method: 'POST', cookie })).json()) as { token: string };
      expect(header(token).twr).toBe(twr);
    }
  });

  it('reports the session, and logging out ends it', async () => {
    const { send, login } = harness();
    const cookie = await login('bob');
    expect(await (await send('/api/session', { cookie })).json()).toMatchObject({ identity: 'bob' });
    const out = await send('/api/logout', { method: 'POST', cookie });
    expect(out.headers.get('set-cookie')).toMatch(/ttl_session=;.*Max-Age=0/);
  });

  it('signs with the WebCrypto signer when given it, the same token as the default', async () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    const web = harness({}, { mint: mintWithWebCrypto, now: () => now });
    const node = harness({}, { now: () => now });
    const tokens = [];
    for (const { send, login } of [web, node]) {
      const cookie = await login('alice');
      tokens.push((await (await send('/api/token', { method: 'POST', cookie })).json()).token);
    }
    expect(tokens[0]).toBe(tokens[1]);
  });

  it('expires a session after 12 h even if the browser keeps the cookie', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const { send, login } = harness({}, { now: () => now });
    const cookie = await login();
    now += 12 * 3600_000 + 1;
    await expectError(await send('/api/token', { method: 'POST', cookie }), 401, 'no-session');
  });
});

describe('bad input gets a 4xx JSON error', () => {
  it('without a session', async () => {
    const { send } = harness();
    await expectError(await send('/api/token', { method: 'POST' }), 401, 'no-session');
    await expectError(await send('/api/session'), 401, 'no-session');
  });

  it('with a forged or altered cookie', async () => {
    const sessions = new MemorySessionStore(); // shared with the other server below: only the secret differs
    const { send, login } = harness({}, { sessions });
    const forged = `ttl_session=${Buffer.from(JSON.stringify({ identity: 'admin', id: 'x', expiresAt: 9e15 })).toString('base64url')}.AAAA`;
    await expectError(await send('/api/token', { method: 'POST', cookie: forged }), 401, 'no-session');
    const real = await login('alice');
    const [name, value] = real.split('=') as [string, string];
    const [payload, signature] = decodeURIComponent(value).split('.') as [string, string];
    const swapped = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), identity: 'admin' })).toString('base64url');
    await expectError(await send('/api/token', { method: 'POST', cookie: `${name}=${encodeURIComponent(`${swapped}.${signature}`)}` }), 401, 'no-session');
    // A cookie signed by another server's secret is no session either, even once this server has
    // verified (and remembered) it.
    expect((await send('/api/token', { method: 'POST', cookie: real })).status).toBe(200);
    const other = harness({ SESSION_SECRET: 'another-server' }, { sessions });
    await expectError(await other.send('/api/token', { method: 'POST', cookie: real }), 401, 'no-session');
  });

  it('with malformed JSON, a wrong content type, a non-object or a missing body', async () => {
    const { send } = harness();
    await expectError(await send('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"identity":' }), 400, 'invalid-json');
    await expectError(await send('/api/login', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"identity":"a"}' }), 415, 'unsupported-media-type');
    await expectError(await send('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'identity=a' }), 415, 'unsupported-media-type');
    await expectError(await send('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '["alice"]' }), 400, 'invalid-body');
    await expectError(await send('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'null' }), 400, 'invalid-body');
    await expectError(await send('/api/login', { method: 'POST' }), 400, 'invalid-body');
  });

  it('with a body over 8 KiB', async () => {
    const { send, json } = harness();
    await expectError(await send('/api/login', json({ identity: 'a', pad: 'x'.repeat(8 * 1024) })), 413, 'body-too-large');
  });

  it.each([[''], ['a'.repeat(122)], ['al/ice'], ['al ice'], ['@alice'], [null], [12]])('with the bad identity %j', async (identity) => {
    const { send, json } = harness();
    await expectError(await send('/api/login', json({ identity })), 400, 'invalid-identity');
  });

  it('with a non-voice-safe identity when the voice grant is on', async () => {
    const { send, json } = harness({ TWILIO_TWIML_APP_SID: 'AP0123456789abcdef0123456789abcdef' });
    await expectError(await send('/api/login', json({ identity: 'alice.smith' })), 400, 'invalid-identity');
  });

  it('on an unknown route and with a wrong method', async () => {
    const { send } = harness();
    await expectError(await send('/api/nothing', { method: 'POST' }), 404, 'not-found');
    await expectError(await send('/nothing'), 404, 'not-found');
    const wrong = await send('/api/token');
    await expectError(wrong, 405, 'method-not-allowed');
    expect(wrong.headers.get('allow')).toBe('POST');
    await expectError(await send('/api/login', { method: 'DELETE' }), 405, 'method-not-allowed');
  });

  it('and rate-limits /api/token per session with 429 and Retry-After', async () => {
    let now = 1_000_000;
    const { send, login } = harness({}, { rateLimit: { perSession: 3, perAddress: 100, windowMs: 10_000 }, now: () => now });
    const cookie = await login();
    for (let i = 0; i < 3; i++) expect((await send('/api/token', { method: 'POST', cookie })).status).toBe(200);
    const limited = await send('/api/token', { method: 'POST', cookie });
    await expectError(limited, 429, 'rate-limited');
    expect(limited.headers.get('retry-after')).toBe('10');
    // Another session is not limited by this one.
    const other = await login('bob');
    expect((await send('/api/token', { method: 'POST', cookie: other })).status).toBe(200);
    now += 10_000;
    expect((await send('/api/token', { method: 'POST', cookie })).status).toBe(200);
  });
});

describe('cross-site requests', () => {
  it('refuses a POST from another origin or a cross-site fetch', async () => {
    const { send, json, login } = harness();
    const cookie = await login();
    await expectError(await send('/api/token', { method: 'POST', cookie, headers: { Origin: 'https://evil.example' } }), 403, 'cross-site');
    await expectError(await send('/api/login', { ...json({ identity: 'x' }), headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' } }), 403, 'cross-site');
    await expectError(await send('/api/token', { method: 'POST', cookie, headers: { 'Sec-Fetch-Site': 'cross-site' } }), 403, 'cross-site');
    expect((await send('/api/token', { method: 'POST', cookie, headers: { Origin: ORIGIN, 'Sec-Fetch-Site': 'same-origin' } })).status).toBe(200);
  });

  it('allows the origins in ALLOWED_ORIGINS, with CORS credentials, and no others', async () => {
    const { send, login } = harness({ ALLOWED_ORIGINS: 'https://app.example.com' });
    const cookie = await login();
    const preflight = await send('/api/token', {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const allowed = await send('/api/token', { method: 'POST', cookie, headers: { Origin: 'https://app.example.com', 'Sec-Fetch-Site': 'cross-site' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    // The manager reads these two; a page on another origin sees neither unless they are exposed.
    expect(allowed.headers.get('access-control-expose-headers')?.split(/,\s*/)).toEqual(['Date', 'Retry-After']);
    const refused = await send('/api/token', { method: 'POST', cookie, headers: { Origin: 'https://evil.example' } });
    await expectError(refused, 403, 'cross-site');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed origin read its errors too: a 401 and a 429 carry the CORS headers and Retry-After', async () => {
    const { send } = harness({ ALLOWED_ORIGINS: 'https://app.example.com' }, { coarseLimit: async () => false });
    const cross = { Origin: 'https://app.example.com', 'Sec-Fetch-Site': 'cross-site' };
    const limited = await send('/api/token', { method: 'POST', headers: cross });
    await expectError(limited.clone(), 429, 'rate-limited');
    expect(limited.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(limited.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    expect(limited.headers.get('retry-after')).toBe('60');
    const unauthorized = await harness({ ALLOWED_ORIGINS: 'https://app.example.com' }).send('/api/token', { method: 'POST', headers: cross });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('sends no CORS headers by default', async () => {
    const { send } = harness();
    const preflight = await send('/api/token', { method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('security headers', () => {
  it('sets CSP, nosniff and frame denial on API answers and pages', async () => {
    const { send } = harness({}, { demoDir: new URL('../../examples/demo/', import.meta.url).pathname });
    for (const response of [await send('/api/session'), await send('/')]) {
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});

describe('the demo outage switch', () => {
  it('makes this session\'s token requests fail with 503 until it ends', async () => {
    let now = 5_000_000;
    const { send, json, login } = harness({}, { now: () => now });
    const cookie = await login();
    const switched = await send('/api/demo/outage', { ...json({ seconds: 15 }), cookie });
    const outageCookie = (switched.headers.get('set-cookie') ?? '').split(';')[0]!;
    const down = await send('/api/token', { method: 'POST', cookie: outageCookie });
    expect(down.headers.get('retry-after')).toBe('15'); // when it ends, as a backend down for planned work would say
    await expectError(down, 503, 'simulated-outage');
    now += 10_500;
    expect((await send('/api/token', { method: 'POST', cookie: outageCookie })).headers.get('retry-after')).toBe('5'); // rounded up
    now += 4_500;
    expect((await send('/api/token', { method: 'POST', cookie: outageCookie })).status).toBe(200);
    await expectError(await send('/api/demo/outage', { ...json({ seconds: 10_000 }), cookie }), 400, 'invalid-body');
  });
});

describe('over real HTTP', () => {
  let server: ReturnType<typeof serve>;
  let base: string;
  beforeAll(async () => {
    const app = createApp(config(), { rateLimit: { perSession: 1000, perAddress: 5, windowMs: 60_000 }, log: (line) => logLines.push(line) });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('limits /api/token per client address across sessions, and stays up after bad input', async () => {
    const statuses: number[] = [];
    // Garbage first: the server must answer each with a 4xx and keep serving.
    for (const body of ['{', 'x'.repeat(20_000), '\u0000\u0001']) {
      const response = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    for (let i = 0; i < 7; i++) {
      const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ identity: `user${i}` }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const response = await fetch(`${base}/api/token`, { method: 'POST', headers: { Cookie: cookie } });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });
});
