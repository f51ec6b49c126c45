// @vitest-environment node
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST as login } from '../../examples/recipes/next/login/route';
import { POST as token } from '../../examples/recipes/next/route';
import { ACCOUNT_SID, API_KEY_SID, API_SECRET, SESSION_SECRET, jsonError, verifiedGrants } from './verify-token';

// The Next.js App Router recipe (examples/recipes/next), called as Next.js calls a route handler: a
// `(request: Request) => Promise<Response>` with a real Request, its environment in process.env.
const ENV = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_API_KEY: API_KEY_SID, TWILIO_API_SECRET: API_SECRET, SESSION_SECRET };

const request = (path: string, body?: unknown, cookie?: string) =>
  new Request(`https://app.example${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

function setEnv(env: Record<string, string>) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the Next.js route handler recipe', () => {
  it('signs in, then mints a token for the session user that verifies with the API secret', async () => {
    setEnv(ENV);
    const signedIn = await login(request('/api/login', { identity: 'alice' }));
    expect(signedIn.status).toBe(200);
    const setCookie = signedIn.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly; Secure; SameSite=Strict/);

    const answer = await token(request('/api/token', { identity: 'mallory' }, setCookie.split(';')[0]));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const { token: jwt } = (await answer.json()) as { token: string };
    expect(await verifiedGrants(jwt)).toEqual({ identity: 'alice', video: {} });
  });

  it('answers 401 JSON without a session or with a forged one, and 400 JSON to a bad identity', async () => {
    setEnv(ENV);
    expect(await jsonError(await token(request('/api/token')))).toMatchObject({ status: 401, code: 'no-session' });
    // A character inside the signature: the last one of a base64url HMAC also holds 2 unused bits, and
    // flipping only those (1 run in 16) leaves the signature valid.
    const forged = (await login(request('/api/login', { identity: 'alice' }))).headers.get('set-cookie')!.split(';')[0]!.replace(/.(?=.{5}$)/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await jsonError(await token(request('/api/token', undefined, forged)))).toMatchObject({ status: 401, code: 'no-session' });
    expect(await jsonError(await login(request('/api/login', { identity: 42 })))).toMatchObject({ status: 400, code: 'invalid-identity' });
    const spaced = (await login(request('/api/login', { identity: 'has space' }))).headers.get('set-cookie')!.split(';')[0];
    expect(await jsonError(await token(request('/api/token', undefined, spaced)))).toMatchObject({ status: 400, code: 'invalid-identity' });
  });

  it.each(Object.keys(ENV))('names a missing %s in a JSON error', async (name) => {
    setEnv(ENV);
    const cookie = (await login(request('/api/login', { identity: 'alice' }))).headers.get('set-cookie')!.split(';')[0];
    vi.stubEnv(name, '');
    const error = await jsonError(await token(request('/api/token', undefined, cookie)));
    expect(error).toMatchObject({ status: 500, code: 'misconfigured' });
    expect(error.message).toContain(name);
    expect(error.text).not.toContain(API_SECRET);
  });

  it('names a missing SESSION_SECRET at sign-in too', async () => {
    setEnv({ ...ENV, SESSION_SECRET: '' });
    const error = await jsonError(await login(request('/api/login', { identity: 'alice' })));
    expect(error).toMatchObject({ status: 500, code: 'misconfigured' });
    expect(error.message).toContain('SESSION_SECRET');
  });
});
