// @vitest-environment node
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenManager, TokenError, type TokenManager } from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
// The source itself, so these checks do not depend on how the manager wraps it.
import { httpTokenSource, parseServerError, type TokenRequestOptions } from '../src/http-token-source';
import { toTokenError } from '../src/token-source';
import { json, startTokenServer, text } from './helpers/http-server';

let server: Awaited<ReturnType<typeof startTokenServer>>;
const managers: TokenManager[] = [];
const manage = (options: Omit<Parameters<typeof createTokenManager>[0], 'url'> = {}) => {
  const manager = createTokenManager({ url: server.url, ...options } as Parameters<typeof createTokenManager>[0]);
  managers.push(manager);
  return manager;
};

beforeAll(async () => {
  server = await startTokenServer((_, res) => json(200, { token: mintTestToken({ identity: 'alice' }) })(_, res));
});
afterAll(() => server.close());
afterEach(() => {
  for (const manager of managers.splice(0)) manager.stop();
  server.requests.length = 0;
});

describe('the default ky transport against a real HTTP server', () => {
  it('POSTs with same-origin credentials and reads JSON { token }', async () => {
    const token = await manage().getToken();
    expect(token.identity).toBe('alice');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.method).toBe('POST');
  });

  it('reads a bare JWT answered as text', async () => {
    const jwt = mintTestToken({ identity: 'bob' });
    server.next(text(200, `${jwt}\n`));
    expect((await manage().getToken()).jwt).toBe(jwt);
  });

  it('keeps the defaults for request fields set to undefined (a config left unset): still a POST', async () => {
    await manage({ request: { method: undefined, credentials: undefined, timeout: undefined } }).getToken();
    expect(server.requests.map((request) => request.method)).toEqual(['POST']);
  });

  // A JSON config's null, `{ "method": null }`: the default too. ky read a null method as GET, while
  // the manager's messages said POST.
  it('keeps the defaults for request fields set to null: still a POST', async () => {
    await manage({ request: { method: null, credentials: null, headers: null } as never }).getToken();
    expect(server.requests.map((request) => request.method)).toEqual(['POST']);
  });

  it('passes request options on to ky', async () => {
    await manage({ request: { method: 'put', headers: { 'x-csrf': 'abc' }, json: { room: 'r1' } } }).getToken();
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'PUT', body: '{"room":"r1"}' });
    expect(request!.headers['x-csrf']).toBe('abc');
  });

  it('retries 503 three times after its Retry-After, then succeeds', async () => {
    const busy = json(503, { error: 'busy' }, { 'retry-after': '1' });
    server.next(busy, busy, busy);
    const manager = manage();
    const statuses: string[] = [];
    manager.subscribe((state) => statuses.push(state.error ? `${state.status}:${state.error.code}:${state.error.status}` : state.status));
    const started = performance.now();
    const token = await new Promise((resolve) => manager.token$.subscribe(resolve));
    const elapsed = performance.now() - started;
    expect(token).toBeDefined();
    expect(server.requests).toHaveLength(4);
    expect(elapsed).toBeGreaterThanOrEqual(2900);
    expect(statuses).toContain('error:http:503');
    expect(manager.getState().status).toBe('valid');
  });

  it('turns 401 into an unauthorized error and does not retry it', async () => {
    server.next(json(401, { error: 'no session' }));
    const manager = manage();
    await expect(manager.getToken()).rejects.toMatchObject({
      code: 'unauthorized',
      status: 401,
      retryable: false,
      message: `Token request failed with status 401: POST ${server.url}: no session`,
      serverError: { message: 'no session' },
    });
    manager.subscribe(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(server.requests).toHaveLength(1);
  });

  it('turns 403 into forbidden', async () => {
    server.next(json(403, {}));
    await expect(manage().getToken()).rejects.toMatchObject({ code: 'forbidden', status: 403 });
  });

  it('reports an HTML page answered with 200 as an invalid response', async () => {
    server.next(text(200, '<!doctype html><title>Sign in</title>', 'text/html'));
    await expect(manage().getToken()).rejects.toMatchObject({
      code: 'invalid-response',
      message: expect.stringContaining('text/html'),
    });
  });

  it('reports an HTML error page with its HTTP status', async () => {
    server.next(text(502, '<html>Bad gateway</html>', 'text/html'));
    await expect(manage().getToken()).rejects.toMatchObject({ code: 'http', status: 502, retryable: true });
  });

  it('reports JSON without a token string as an invalid response', async () => {
    server.next(json(200, { token: 42 }));
    await expect(manage().getToken()).rejects.toMatchObject({ code: 'invalid-response' });
  });

  it('reports a malformed JWT as an invalid token', async () => {
    server.next(json(200, { token: mintTestToken({ header: { cty: 'jwt' } }) }));
    await expect(manage().getToken()).rejects.toMatchObject({ code: 'invalid-token' });
  });

  it('rejects a token that had already expired by the server’s own Date header', async () => {
    const issuedAt = Date.now() - 2 * 3600_000;
    server.next(json(200, { token: mintTestToken({ issuedAt, ttlSeconds: 3600 }) }));
    await expect(manage().getToken()).rejects.toMatchObject({ code: 'invalid-token', message: expect.stringMatching(/already expired/) });
  });

  it('shortens a token minted earlier to what its server says is left', async () => {
    server.next(json(200, { token: mintTestToken({ issuedAt: Date.now() - 30 * 60_000, ttlSeconds: 3600 }) }));
    const manager = manage();
    const sentAt = Date.now();
    await manager.getToken();
    const { expiresAt } = manager.getState();
    expect(expiresAt! - sentAt).toBeLessThanOrEqual(30 * 60_000 + 1000);
    expect(expiresAt! - sentAt).toBeGreaterThan(29 * 60_000);
  });

  it('times out a request that takes too long', async () => {
    server.next(() => undefined); // never answers
    await expect(manage({ request: { timeout: 200 } }).getToken()).rejects.toMatchObject({ code: 'timeout', retryable: true });
  });

  it('reports a refused connection as a network error', async () => {
    const manager = createTokenManager({ url: 'http://127.0.0.1:9/api/token' });
    managers.push(manager);
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'network', retryable: true });
  });

  it('stop() aborts the request in flight', async () => {
    server.next(() => undefined);
    const manager = manage();
    const waiting = manager.getToken();
    await new Promise((resolve) => setTimeout(resolve, 50));
    manager.stop();
    await expect(waiting).rejects.toMatchObject({ code: 'stopped' });
  });
});

/** One request through the default transport, outside any manager. */
const fetchOnce = (url: string | URL, request: TokenRequestOptions = {}, signal = new AbortController().signal) =>
  httpTokenSource(url, request, Date.now)({ signal, reason: 'initial' });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the request should have failed'),
    (error: unknown) => error as TokenError,
  );

describe('the JSON error a token endpoint answers with', () => {
  it('is attached as serverError and quoted in the message (the reference server’s shape)', async () => {
    server.next(json(401, { error: { code: 'not-signed-in', message: 'Sign in first' } }));
    const error = await failure(fetchOnce(server.url));
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    expect(error.serverError).toStrictEqual({ code: 'not-signed-in', message: 'Sign in first' });
    expect(error.message).toBe(`Token request failed with status 401: POST ${server.url}: Sign in first (not-signed-in)`);
  });

  it('reaches the app through the manager', async () => {
    server.next(json(403, { error: { code: 'origin-not-allowed', message: 'Origin not allowed' } }));
    await expect(manage().getToken()).rejects.toMatchObject({
      code: 'forbidden',
      serverError: { code: 'origin-not-allowed', message: 'Origin not allowed' },
      message: expect.stringMatching(/: Origin not allowed \(origin-not-allowed\)$/),
    });
  });

  it('keeps Retry-After and retryable on a 503 that explains itself', async () => {
    server.next(json(503, { error: { code: 'busy', message: 'Try again shortly' } }, { 'retry-after': '2' }));
    const error = await failure(fetchOnce(server.url));
    expect(error).toMatchObject({ code: 'http', status: 503, retryable: true, retryAfterMs: 2000 });
    expect(error.serverError).toStrictEqual({ code: 'busy', message: 'Try again shortly' });
    expect(error.message).toMatch(/status 503: .*: Try again shortly \(busy\)$/);
  });

  it('gives no serverError for an HTML 500 page, and the plain message', async () => {
    server.next(text(500, '<!doctype html><h1>{"error":"not json"}</h1>', 'text/html'));
    const error = await failure(fetchOnce(server.url));
    expect(error).toMatchObject({ code: 'http', status: 500, retryable: true });
    expect(error.serverError).toBeUndefined();
    expect(error.message).toBe(`Token request failed with status 500: POST ${server.url}`);
  });

  it('never echoes a token found in the body', async () => {
    const jwt = mintTestToken({ identity: 'alice' });
    server.next(json(401, { error: { code: 'revoked', message: `Token ${jwt} was revoked` } }));
    const error = await failure(fetchOnce(server.url));
    expect(error.serverError).toStrictEqual({ code: 'revoked' });
    expect(error.message).toBe(`Token request failed with status 401: POST ${server.url}: (revoked)`);
    for (const segment of jwt.split('.')) expect(error.message).not.toContain(segment.slice(0, 16));

    server.next(json(400, { error: jwt }));
    const bare = await failure(fetchOnce(server.url));
    expect(bare.serverError).toBeUndefined();
    expect(bare.message).not.toContain(jwt.split('.')[0]);
  });

  it('does not let a zero-width character hide a token from the check', () => {
    const jwt = mintTestToken({ identity: 'alice' });
    expect(parseServerError(JSON.stringify({ message: jwt.replace('.', '\u200b.') }))).toBeUndefined();
  });

  it('accepts { error: "…" } and { message: "…" }, keeps only strings, strips control characters, truncates', () => {
    expect(parseServerError('{"error":"no session"}')).toStrictEqual({ message: 'no session' });
    expect(parseServerError('{"message":"Sign in first"}')).toStrictEqual({ message: 'Sign in first' });
    expect(parseServerError('{"error":{"code":42,"message":["x"]}}')).toBeUndefined();
    expect(parseServerError('{"error":{"code":"c"},"message":"m"}')).toStrictEqual({ code: 'c', message: 'm' });
    expect(parseServerError('null')).toBeUndefined();
    expect(parseServerError('[1]')).toBeUndefined();
    expect(parseServerError(JSON.stringify({ error: { code: 'a\u0000b\u001b[31m', message: 'line\r\none\u202e\u0085' } }))).toStrictEqual({
      code: 'ab[31m',
      message: 'lineone',
    });
    const long = parseServerError(JSON.stringify({ message: '😀'.repeat(300) }))!;
    expect([...long.message!]).toHaveLength(200);
    expect(long.message).toBe('😀'.repeat(200));
  });

  it('reads at most 16 KiB of an error body', async () => {
    const padding = 'x'.repeat(16 * 1024);
    server.next(json(400, { error: { code: 'big', message: 'too long to read' }, padding }));
    expect((await failure(fetchOnce(server.url))).serverError).toBeUndefined();
    server.next(json(400, { error: { code: 'small', message: 'read' }, padding: padding.slice(0, 15 * 1024) }));
    expect((await failure(fetchOnce(server.url))).serverError).toStrictEqual({ code: 'small', message: 'read' });
    // A body that never ends: reading stops at the limit instead of waiting for the rest.
    server.next((_, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.write(padding + padding);
    });
    expect(await failure(fetchOnce(server.url))).toMatchObject({ code: 'http', status: 500, serverError: undefined });
  });

  it('survives an error body that breaks off', async () => {
    server.next((_, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"error":');
      setTimeout(() => res.destroy(), 20);
    });
    const error = await failure(fetchOnce(server.url));
    expect(error).toMatchObject({ code: 'http', status: 500, serverError: undefined });
  });
});

describe('a token URL that cannot work', () => {
  it('is misconfigured when relative and there is no page to resolve it against', async () => {
    expect(globalThis.location).toBeUndefined();
    const error = await failure(fetchOnce('/api/token'));
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'misconfigured', retryable: false });
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      'Token request cannot be sent: POST /api/token (Invalid URL); outside a page, give an absolute URL',
    );
  });

  it('is misconfigured when malformed', async () => {
    const error = await failure(fetchOnce('http://['));
    expect(error).toMatchObject({ code: 'misconfigured', retryable: false });
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('is misconfigured through the manager, as a non-retryable error', async () => {
    const manager = createTokenManager({ url: '/api/token' });
    managers.push(manager);
    await expect(manager.getToken()).rejects.toMatchObject({ code: 'misconfigured', retryable: false });
    expect(manager.getState().error).toMatchObject({ code: 'misconfigured' });
  });

  it('is misconfigured when ky itself refuses the request synchronously', async () => {
    // A valid URL that fetch will not send: it carries credentials.
    const error = await failure(fetchOnce(server.url.replace('http://', 'http://user:secret@')));
    expect(error).toMatchObject({ code: 'misconfigured', retryable: false });
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^Token request cannot be sent: .*credentials/);
    expect(server.requests).toHaveLength(0);
  });

  it('is not misconfigured when the connection is refused: that stays a retryable network error', async () => {
    const closed = await startTokenServer(() => undefined);
    await closed.close();
    const signal = new AbortController().signal;
    const rejection = await fetchOnce(closed.url, {}, signal).then(
      () => expect.unreachable(),
      (error: unknown) => error,
    );
    expect(rejection).not.toBeInstanceOf(TokenError);
    expect((rejection as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    expect(toTokenError(rejection, signal)).toMatchObject({ code: 'network', retryable: true });
  });
});
