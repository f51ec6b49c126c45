// @vitest-environment node
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, API_KEY_SID, API_SECRET, SESSION_SECRET, jsonError, verifiedGrants } from './verify-token';

// examples/recipes/express/server.mjs, the file the server guide shows, run with Express 4.
const recipe = '../../examples/recipes/express/server.mjs';
const ENV = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_API_KEY: API_KEY_SID, TWILIO_API_SECRET: API_SECRET, SESSION_SECRET };
const servers: Server[] = [];

async function start(env: Record<string, string>): Promise<string> {
  const { createApp } = (await import(/* @vite-ignore */ recipe)) as { createApp(env: Record<string, string>): { listen(port: number, host: string, ready: () => void): Server } };
  const server = await new Promise<Server>((resolve) => {
    const listening: Server = createApp(env).listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const post = (url: string, body?: unknown, cookie?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('the Express recipe', () => {
  it('signs in, then mints a token for the session user that verifies with the API secret', async () => {
    const base = await start(ENV);
    const login = await post(`${base}/api/login`, { identity: 'alice' });
    expect(login.status).toBe(200);
    expect(await login.json()).toEqual({ identity: 'alice' });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i);

    const answer = await post(`${base}/api/token`, { identity: 'mallory' }, cookie);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const { token } = (await answer.json()) as { token: string };
    // The session's user, not the identity the body names.
    expect(await verifiedGrants(token)).toEqual({ identity: 'alice', video: {} });
  });

  it('answers 401 JSON without a session, and 400 JSON to a bad body or identity', async () => {
    const base = await start(ENV);
    expect(await jsonError(await post(`${base}/api/token`))).toMatchObject({ status: 401, code: 'no-session' });
    expect(await jsonError(await post(`${base}/api/token`, undefined, 'connect.sid=s%3Aforged.sig'))).toMatchObject({ status: 401, code: 'no-session' });
    expect(await jsonError(await post(`${base}/api/login`, '{not json'))).toMatchObject({ status: 400 });
    expect(await jsonError(await post(`${base}/api/login`, { identity: '' }))).toMatchObject({ status: 400, code: 'invalid-identity' });
    expect(await jsonError(await post(`${base}/api/other`))).toMatchObject({ status: 404, code: 'not-found' });
  });

  it('refuses an identity Twilio would refuse with 400 JSON from the signer, never a stack', async () => {
    const base = await start(ENV);
    const cookie = (await post(`${base}/api/login`, { identity: 'has space' })).headers.get('set-cookie')!.split(';')[0]!;
    const error = await jsonError(await post(`${base}/api/token`, undefined, cookie));
    expect(error).toMatchObject({ status: 400, code: 'invalid-identity' });
    expect(error.text).not.toMatch(/\n\s+at /);
  });

  it.each(Object.keys(ENV))('names a missing %s in a JSON error, never an HTML page or a stack', async (name) => {
    const base = await start({ ...ENV, [name]: '' });
    for (const path of ['/api/login', '/api/token']) {
      const error = await jsonError(await post(`${base}${path}`, { identity: 'alice' }));
      expect(error).toMatchObject({ status: 500, code: 'misconfigured' });
      expect(error.message).toContain(name);
      expect(error.text).not.toContain(API_SECRET);
      expect(error.text).not.toMatch(/<html|\n\s+at /i);
    }
  });
});
