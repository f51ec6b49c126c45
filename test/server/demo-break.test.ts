// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { TokenError } from 'twilio-token-lifecycle';
import { explainTokenError } from 'twilio-token-lifecycle/doctor';
import { createApp, type AppOptions } from '../../examples/server/app';
import { loadConfig } from '../../examples/server/config';
import { MemorySessionStore } from '../../examples/server/session-store';

const ORIGIN = 'http://localhost';
const SESSION_SECRET = 'session-secret-for-break-tests';
const REAL = {
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
  TWILIO_API_SECRET: 'real-secret-that-must-never-leak-0123',
};

function harness(env: Record<string, string> = {}, options: AppOptions = {}) {
  const lines: string[] = [];
  const app = createApp(loadConfig({ SESSION_SECRET, TOKEN_TTL: '600', ...env }), { log: (line) => lines.push(line), ...options });
  const send = (path: string, body?: unknown, cookie?: string, raw?: string) =>
    app.request(`${ORIGIN}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  const login = async () => cookieOf(await send('/api/login', { identity: 'alice' }));
  const token = async (cookie: string) => {
    const response = await send('/api/token', undefined, cookie);
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  };
  const breakWith = async (cookie: string, mode: string | null) => {
    const response = await send('/api/demo/break', { mode }, cookie);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ mode });
    return cookieOf(response);
  };
  const twilio = async (cookie: string, jwt: string) => {
    const response = await send('/api/demo/twilio', { token: jwt }, cookie);
    return { status: response.status, body: (await response.json()) as { ok?: true; code?: number; message?: string } };
  };
  return { send, login, token, breakWith, twilio, lines };
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
}

describe('breaking the local signer\'s tokens, checked by the Twilio stand-in', () => {
  // Each mode: the code Twilio answers with, and the finding the doctor explains it by.
  const table = [
    { mode: 'wrong-secret', twilioCode: 20107, finding: 'twilio-rejected' },
    { mode: 'ttl-in-ms', twilioCode: 20157, finding: 'ttl-in-milliseconds' },
    { mode: 'missing-grant', twilioCode: 20106, finding: 'missing-grant' },
    { mode: 'future-nbf', twilioCode: 20105, finding: 'not-yet-valid' },
  ] as const;

  it.each(table)('$mode → Twilio refuses with $twilioCode, the doctor finds $finding', async ({ mode, twilioCode, finding }) => {
    const { login, token, breakWith, twilio, lines } = harness();
    const cookie = await login();
    const sound = await token(cookie);
    expect(await twilio(cookie, sound)).toEqual({ status: 200, body: { ok: true } });

    const broken = await breakWith(cookie, mode);
    const jwt = await token(broken);
    const answer = await twilio(broken, jwt);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: twilioCode, message: expect.any(String), status: 401 });

    // What the demo page does with the answer: the doctor explains it, without the server's secret.
    const error = new TokenError('token-rejected', `refused (${twilioCode})`, { serverError: { code: String(twilioCode) } });
    const diagnosis = await explainTokenError(error, jwt, { products: ['video'] });
    expect(diagnosis.ok).toBe(false);
    expect(diagnosis.findings.map((item) => item.code)).toContain(finding);

    // Mended: sound tokens again.
    const mended = await breakWith(broken, null);
    expect(await twilio(mended, await token(mended))).toEqual({ status: 200, body: { ok: true } });
    // No token, nor its signature, ever reaches the log.
    for (const seen of [sound, jwt]) {
      expect(lines.join('\n')).not.toContain(seen.split('.')[2]);
      expect(lines.join('\n')).not.toContain(seen.split('.')[1]);
    }
  });

  it('refuses an expired token with 20104 and garbage with 20101', async () => {
    let now = 1_800_000_000_000;
    const { login, token, twilio } = harness({}, { now: () => now });
    const cookie = await login();
    const jwt = await token(cookie);
    now += 601_000;
    expect((await twilio(cookie, jwt)).body).toMatchObject({ code: 20104 });
    expect((await twilio(cookie, 'not.a.token')).body).toMatchObject({ code: 20101 });
    expect((await twilio(cookie, 'x')).body).toMatchObject({ code: 20101 });
  });

  it('answers bad input with 4xx JSON errors', async () => {
    const { send, login } = harness();
    const cookie = await login();
    await expectError(await send('/api/demo/break', { mode: 'nope' }), 401, 'no-session');
    await expectError(await send('/api/demo/twilio', { token: 'a.b.c' }), 401, 'no-session');
    for (const body of [{ mode: 'nope' }, {}, { mode: 1 }, { mode: ['ttl-in-ms'] }]) {
      await expectError(await send('/api/demo/break', body, cookie), 400, 'invalid-body');
    }
    for (const body of [{}, { token: 42 }, { token: '' }, { token: { token: 'a.b.c' } }]) {
      await expectError(await send('/api/demo/twilio', body, cookie), 400, 'invalid-body');
    }
    expect((await send('/api/demo/break', undefined, cookie, '{"mode":')).status).toBe(400);
    const get = await createApp(loadConfig({})).request(`${ORIGIN}/api/demo/twilio`);
    await expectError(get, 405, 'method-not-allowed');
  });

  it('exists only with the local signer: with real credentials, 404 and sound tokens', async () => {
    const sessions = new MemorySessionStore();
    const local = harness({}, { sessions });
    const real = harness(REAL, { sessions });
    const cookie = await local.breakWith(await local.login(), 'wrong-secret');
    await expectError(await real.send('/api/demo/break', { mode: 'ttl-in-ms' }, cookie), 404, 'not-found');
    await expectError(await real.send('/api/demo/twilio', { token: 'a.b.c' }, cookie), 404, 'not-found');
    // A session cookie that asks for broken tokens gets sound ones from a real key.
    const jwt = await real.token(cookie);
    const [header, payload] = jwt.split('.');
    const { createHmac } = await import('node:crypto');
    expect(jwt.split('.')[2]).toBe(createHmac('sha256', REAL.TWILIO_API_SECRET).update(`${header}.${payload}`).digest('base64url'));
  });
});
