// @vitest-environment node
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTokenManager, type TokenManager } from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
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
      message: `Token request failed with status 401: POST ${server.url}`,
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
