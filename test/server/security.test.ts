// @vitest-environment node
import { serve } from '@hono/node-server';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseAccessToken } from 'twilio-token-lifecycle';
import { createApp, type AppOptions } from '../../examples/server/app';
import { loadConfig, type ServerConfig } from '../../examples/server/config';
import { MemorySessionStore } from '../../examples/server/session-store';

// The attacks of issue 12, each refused.

const config = (env: Record<string, string> = {}): ServerConfig =>
  loadConfig({
    TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
    TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
    TWILIO_API_SECRET: 'secret-that-must-never-leak-0123456789',
    SESSION_SECRET: 'session-secret-for-tests',
    ...env,
  });

function harness(env: Record<string, string> = {}, options: AppOptions = {}) {
  const lines: string[] = [];
  const app = createApp(config(env), { log: (line) => lines.push(line), ...options });
  const send = (path: string, init: RequestInit & { cookie?: string; host?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.cookie) headers.set('Cookie', init.cookie);
    if (init.host !== undefined) headers.set('Host', init.host);
    return app.request(`http://localhost${path}`, { ...init, headers });
  };
  const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const login = async (identity = 'alice') => {
    const response = await send('/api/login', json({ identity }));
    expect(response.status).toBe(200);
    return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  };
  return { app, lines, send, json, login };
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
}

// A real server on a loopback port, for what only a socket shows (streaming, aborts, Host).
const servers: Array<ReturnType<typeof serve>> = [];
async function listen(options: AppOptions = {}, env: Record<string, string> = {}) {
  const lines: string[] = [];
  const app = createApp(config(env), { log: (line) => lines.push(line), ...options });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, lines };
}
afterAll(async () => {
  for (const server of servers) {
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A raw HTTP/1.1 connection: write what you like, and wait for the status line of the answer. */
function rawRequest(port: number, head: string) {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => {}); // the server may close while we still write: that is the point
  let received = '';
  socket.on('data', (data) => (received += data.toString('latin1')));
  socket.write(`${head}\r\n\r\n`);
  const status = (timeoutMs = 5000) =>
    new Promise<number | undefined>((resolve) => {
      const check = () => {
        const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
        if (match) return finish(Number(match[1]));
      };
      const finish = (value: number | undefined) => {
        clearInterval(timer);
        clearTimeout(deadline);
        resolve(value);
      };
      const timer = setInterval(check, 5);
      const deadline = setTimeout(() => finish(undefined), timeoutMs);
      socket.once('close', () => setTimeout(() => finish(/^HTTP\/1\.1 (\d{3})/.exec(received) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(received)![1]) : undefined), 10));
      check();
    });
  const chunk = (data: string | Buffer) => {
    if (socket.destroyed) return false;
    socket.write(`${Buffer.byteLength(data).toString(16)}\r\n`);
    socket.write(data);
    return socket.write('\r\n');
  };
  return { socket, status, chunk, received: () => received };
}
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const waitFor = async (condition: () => boolean, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await sleep(10);
  return condition();
};

describe('the Host allow-list (DNS rebinding)', () => {
  it('refuses a foreign Host with 421 and the JSON error, before any route', async () => {
    const { send, json, login } = harness({}, { demoDir: new URL('../../examples/demo/', import.meta.url).pathname });
    const cookie = await login();
    for (const host of ['evil.example:3000', 'evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', 'localhost.', '', 'localhost:abc', 'local host', '[::2]:3000']) {
      await expectError(await send('/api/login', { ...json({ identity: 'mallory' }), host }), 421, 'unknown-host');
      await expectError(await send('/api/token', { method: 'POST', cookie, host }), 421, 'unknown-host');
      await expectError(await send('/api/session', { cookie, host }), 421, 'unknown-host');
      await expectError(await send('/', { host }), 421, 'unknown-host');
      await expectError(await send('/nothing', { host }), 421, 'unknown-host');
    }
  });

  it('answers localhost, 127.0.0.1 and [::1] on any port', async () => {
    const { send, login } = harness();
    const cookie = await login();
    for (const host of ['localhost', 'localhost:3000', 'LOCALHOST:5173', '127.0.0.1:1', '127.0.0.1', '[::1]:3000', '[::1]']) {
      expect((await send('/api/token', { method: 'POST', cookie, host })).status, host).toBe(200);
    }
  });

  it('adds the host of PUBLIC_URL and those in ALLOWED_HOSTS, with their ports when given', async () => {
    const { send, login } = harness({ PUBLIC_URL: 'https://tokens.example.com', ALLOWED_HOSTS: 'a.example, b.example:8443' });
    const cookie = await login();
    for (const host of ['tokens.example.com', 'Tokens.Example.com', 'a.example', 'a.example:8080', 'b.example:8443', 'localhost:3000']) {
      expect((await send('/api/token', { method: 'POST', cookie, host })).status, host).toBe(200);
    }
    for (const host of ['b.example', 'b.example:9000', 'evil.tokens.example.com', 'c.example']) {
      await expectError(await send('/api/token', { method: 'POST', cookie, host }), 421, 'unknown-host');
    }
    // Behind a TLS proxy the page's origin is PUBLIC_URL's, which the origin guard then accepts.
    const proxied = await send('/api/token', { method: 'POST', cookie, host: 'tokens.example.com', headers: { Origin: 'https://tokens.example.com' } });
    expect(proxied.status).toBe(200);
  });

  it('refuses a rebinding page over real HTTP, and serves the loopback name', async () => {
    const { port } = await listen();
    const evil = rawRequest(port, `POST /api/login HTTP/1.1\r\nHost: evil.example:${port}\r\nContent-Type: application/json\r\nContent-Length: 19\r\nConnection: close\r\n\r\n{"identity":"mal"}`);
    sockets.push(evil.socket);
    expect(await evil.status()).toBe(421);
    expect(evil.received()).toMatch(/"code":"unknown-host"/);
    const response = await fetch(`http://127.0.0.1:${port}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"identity":"al"}' });
    expect(response.status).toBe(200);
  });
});

describe('logout ends the session', () => {
  it('refuses a copy of the cookie taken before logout', async () => {
    const { send, login } = harness();
    const cookie = await login('bob');
    const copy = cookie;
    expect((await send('/api/token', { method: 'POST', cookie: copy })).status).toBe(200);
    const out = await send('/api/logout', { method: 'POST', cookie });
    expect(out.status).toBe(200);
    await expectError(await send('/api/token', { method: 'POST', cookie: copy }), 401, 'no-session');
    await expectError(await send('/api/session', { cookie: copy }), 401, 'no-session');
    await expectError(await send('/api/demo/outage', { method: 'POST', cookie: copy, headers: { 'Content-Type': 'application/json' }, body: '{"seconds":1}' }), 401, 'no-session');
  });

  it('ends only that sign-in; and signing in again replaces the old session', async () => {
    const { send, login, json } = harness();
    const first = await login('alice');
    const second = await login('alice');
    await send('/api/logout', { method: 'POST', cookie: first });
    expect((await send('/api/token', { method: 'POST', cookie: second })).status).toBe(200);
    const again = await send('/api/login', { ...json({ identity: 'carol' }), cookie: second });
    expect(again.status).toBe(200);
    await expectError(await send('/api/token', { method: 'POST', cookie: second }), 401, 'no-session');
  });

  it('keeps the session through the demo outage cookie, and ends that one too', async () => {
    const { send, json, login } = harness();
    const cookie = await login();
    const switched = await send('/api/demo/outage', { ...json({ seconds: 0 }), cookie });
    const outageCookie = (switched.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await send('/api/token', { method: 'POST', cookie: outageCookie })).status).toBe(200);
    await send('/api/logout', { method: 'POST', cookie });
    await expectError(await send('/api/token', { method: 'POST', cookie: outageCookie }), 401, 'no-session');
  });

  it('shares sessions through the store: logout on one instance ends the session on another', async () => {
    const sessions = new MemorySessionStore();
    const a = harness({}, { sessions });
    const b = harness({}, { sessions });
    const cookie = await a.login();
    expect((await b.send('/api/token', { method: 'POST', cookie })).status).toBe(200);
    await b.send('/api/logout', { method: 'POST', cookie });
    await expectError(await a.send('/api/token', { method: 'POST', cookie }), 401, 'no-session');
  });

  it('refuses a validly signed cookie whose session the store never had (e.g. after a restart)', async () => {
    const cookie = await harness().login();
    await expectError(await harness().send('/api/token', { method: 'POST', cookie }), 401, 'no-session');
  });

  it('keeps the memory store bounded, dropping expired sessions first, then the oldest', () => {
    let now = 0;
    const store = new MemorySessionStore(() => now, 3);
    store.add('a', 10);
    store.add('b', 20);
    store.add('c', 30);
    now = 15;
    store.add('d', 40);
    expect([store.has('a'), store.has('b'), store.has('c'), store.has('d')]).toEqual([false, true, true, true]);
    store.add('e', 50);
    expect([store.has('b'), store.has('e'), store.size]).toEqual([false, true, 3]);
    now = 100;
    expect(store.has('e')).toBe(false);
  });
});

describe('the 8 KiB body limit, while streaming', () => {
  const head = (port: number, path = '/api/login') =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`;

  it('cuts a large chunked body at 8 KiB with 413, without waiting for its end', async () => {
    const { port } = await listen();
    const request = rawRequest(port, head(port));
    sockets.push(request.socket);
    request.chunk('{"identity":"a","pad":"');
    for (let i = 0; i < 12; i++) request.chunk('x'.repeat(1024)); // 12 KiB sent; the body never ends
    expect(await request.status()).toBe(413);
    expect(request.received()).toMatch(/"code":"body-too-large"/);
    expect(request.received()).toMatch(/connection: close/i);
  });

  it('answers a slow body 413 once it passes 8 KiB, before the body ends, and not before it passes', async () => {
    const { port } = await listen();
    const request = rawRequest(port, head(port));
    sockets.push(request.socket);
    request.chunk('{"pad":"');
    for (let i = 0; i < 7; i++) {
      request.chunk('x'.repeat(1024));
      await sleep(30);
    }
    expect(await request.status(200)).toBeUndefined(); // 7 KiB: still within the limit, still reading
    request.chunk('x'.repeat(1024));
    request.chunk('x'.repeat(1024)); // past 8 KiB; the client goes on sending, slowly, forever
    // The body never ends, so a 413 can only come from the limit, not from reading to the end.
    expect(await request.status(30_000)).toBe(413);
  });

  it('still takes a chunked body within the limit', async () => {
    const { port } = await listen();
    const request = rawRequest(port, head(port));
    sockets.push(request.socket);
    request.chunk('{"identity":');
    request.chunk('"chunked"}');
    request.socket.write('0\r\n\r\n');
    expect(await request.status()).toBe(200);
    await waitFor(() => request.received().includes('"identity":"chunked"'));
    expect(request.received()).toContain('{"identity":"chunked"}');
  });

  it('does not grow memory with 10 concurrent 10 MB chunked bodies', async () => {
    const { port } = await listen();
    const used = () => {
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    globalThis.gc?.();
    const before = used();
    let peak = before;
    const megabyte = Buffer.alloc(1024 * 1024, 'x'); // one buffer, written ten times by each client
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const request = rawRequest(port, head(port));
        sockets.push(request.socket);
        for (let i = 0; i < 10 && !request.socket.destroyed; i++) {
          if (!request.chunk(megabyte)) await new Promise((resolve) => (request.socket.once('drain', resolve), request.socket.once('close', resolve)));
          peak = Math.max(peak, used());
        }
        return request.status();
      }),
    );
    // Each gets its 413, unless the server closed the connection on the unread rest first (a reset
    // can drop the answer in flight): it never waits for, nor keeps, the 10 MB.
    for (const outcome of outcomes) expect([413, undefined]).toContain(outcome);
    expect(outcomes.filter((outcome) => outcome === 413).length).toBeGreaterThan(0);
    // Read whole, these bodies would hold ~100 MB; cut at 8 KiB, memory barely moves.
    expect(peak - before).toBeLessThan(40 * 1024 * 1024);
  });
});

describe('log lines', () => {
  it('escape control and format characters, so a path cannot forge a line', async () => {
    const { send, lines } = harness();
    await send('/api/x%0aGET%20/api/admin%20200%201ms');
    await send('/a%00b%0d%e2%80%aec');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
    expect(lines[0]).toMatch(/^GET \/api\/x\\x0aGET \/api\/admin 200 1ms 404 \d+ms$/);
    expect(lines[1]).toMatch(/^GET \/a\\x00b\\x0d\\u\{202e\}c 404 \d+ms$/);
  });

  it('log a client that hangs up mid-body as an abort, not a 500', async () => {
    const { port, lines } = await listen();
    const withLength = rawRequest(port, `POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100`);
    withLength.socket.write('{"identity":');
    await sleep(50);
    withLength.socket.destroy();
    const chunked = rawRequest(port, `POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`);
    chunked.chunk('{"identity":');
    await sleep(50);
    chunked.socket.destroy();
    expect(await waitFor(() => lines.length >= 2)).toBe(true);
    expect(lines).toEqual([expect.stringMatching(/^POST \/api\/login aborted \d+ms$/), expect.stringMatching(/^POST \/api\/login aborted \d+ms$/)]);
    expect(lines.join('\n')).not.toMatch(/500|error/);
  });
});

describe('identities', () => {
  it.each([
    ['a zero-width space', 'alice\u200b'],
    ['a zero-width joiner', 'al\u200dice'],
    ['a byte-order mark', '\ufeffalice'],
    ['a soft hyphen', 'al\u00adice'],
    ['a right-to-left override', 'alice\u202egnp'],
    ['a bidi isolate', '\u2066alice\u2069'],
    ['a right-to-left mark', 'alice\u200f'],
    ['a line separator', 'alice\u2028bob'],
    ['a paragraph separator', 'alice\u2029'],
    ['a NUL', 'alice\u0000'],
    ['DEL', 'alice\u007f'],
    ['a C1 control', 'alice\u0085'],
    ['a lone surrogate', 'alice\ud800'],
  ])('refuses %s', async (_name, identity) => {
    const { send, json } = harness();
    const response = await send('/api/login', json({ identity }));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe('invalid-identity');
    expect(body.error.message).toMatch(/control, format|must not contain/);
  });

  it('normalises to NFC before the session and the token', async () => {
    const { send, json } = harness();
    const decomposed = 'zoe\u0308'; // e + combining diaeresis
    const response = await send('/api/login', json({ identity: decomposed }));
    expect(await response.json()).toEqual({ identity: 'zo\u00eb' });
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(await (await send('/api/session', { cookie })).json()).toMatchObject({ identity: 'zo\u00eb' });
    const token = parseAccessToken((await (await send('/api/token', { method: 'POST', cookie })).json()).token);
    expect(token.identity).toBe('zo\u00eb');
  });
});
