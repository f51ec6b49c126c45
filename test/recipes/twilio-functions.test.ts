// @vitest-environment node
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, API_KEY_SID, API_SECRET, SESSION_SECRET, verifiedGrants } from './verify-token';

// examples/recipes/twilio-functions/token.js, compiled as CommonJS as the Functions runtime does (this
// repository's package.json says "type": "module", so Node's require would refuse it), its require()
// resolving `twilio-token-lifecycle/server` to the package's CommonJS build (run `npm run build` first);
// called with the documented (context, event, callback) shape and a `Twilio.Response` with the
// documented methods.

/** What a Function's `Twilio.Response` offers: status, headers and body. */
class FakeTwilioResponse {
  statusCode = 200;
  headers: Record<string, string> = {};
  body: unknown;
  setStatusCode(code: number) {
    this.statusCode = code;
    return this;
  }
  setBody(body: unknown) {
    this.body = body;
    return this;
  }
  appendHeader(name: string, value: string) {
    this.headers[name] = value;
    return this;
  }
  setHeaders(headers: Record<string, string>) {
    this.headers = headers;
    return this;
  }
}

type Handler = (context: Record<string, string>, event: object, callback: (error: unknown, response?: FakeTwilioResponse) => void) => Promise<unknown>;
/** A file's exports, compiled as CommonJS whatever the nearest package.json says. */
function loadCommonJs(file: string): unknown {
  const internals = Module as unknown as { new (id: string): NodeModule & { _compile(source: string, file: string): void }; _nodeModulePaths(dir: string): string[] };
  const module = new internals(file);
  module.filename = file;
  module.paths = internals._nodeModulePaths(dirname(file));
  module._compile(readFileSync(file, 'utf8'), file);
  return module.exports;
}

const globals = globalThis as { Twilio?: unknown };
let handler: Handler;

beforeAll(() => {
  globals.Twilio = { Response: FakeTwilioResponse };
  handler = (loadCommonJs(fileURLToPath(new URL('../../examples/recipes/twilio-functions/token.js', import.meta.url))) as { handler: Handler }).handler;
});
afterAll(() => {
  delete globals.Twilio;
});

const CONTEXT = { ACCOUNT_SID, API_KEY: API_KEY_SID, API_SECRET, SESSION_SECRET };

/** Runs the handler; resolves with what it passed to the callback. */
async function invoke(context: Record<string, string>, authorization?: string): Promise<FakeTwilioResponse> {
  let answered: FakeTwilioResponse | undefined;
  let failed: unknown;
  const event = { request: { headers: authorization ? { authorization } : {}, cookies: {} } };
  await handler(context, event, (error, response) => {
    failed = error;
    answered = response;
  });
  if (failed) throw failed;
  return answered!;
}

/** What the app's backend hands a signed-in user: an HS256 session JWT with `sub` = the user id. */
const sessionJwt = (userId: string, secret = SESSION_SECRET) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));

describe('the Twilio Functions recipe', () => {
  it('mints a token for the session user that verifies with the API secret', async () => {
    const response = await invoke(CONTEXT, `Bearer ${await sessionJwt('alice')}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    expect(await verifiedGrants((response.body as { token: string }).token)).toEqual({ identity: 'alice', video: {} });
  });

  it('answers 401 JSON without a session JWT, or with one signed by another secret', async () => {
    for (const authorization of [undefined, 'Bearer nonsense', `Bearer ${await sessionJwt('alice', 'another-secret')}`]) {
      const response = await invoke(CONTEXT, authorization);
      expect(response.statusCode).toBe(401);
      expect(response.body).toEqual({ error: { code: 'no-session', message: 'Sign in first' } });
    }
  });

  it('answers 400 JSON for an identity Twilio would refuse', async () => {
    const response = await invoke(CONTEXT, `Bearer ${await sessionJwt('has space')}`);
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid-identity' } });
  });

  it.each(Object.keys(CONTEXT))('names a missing %s in a JSON error', async (name) => {
    const response = await invoke({ ...CONTEXT, [name]: '' }, `Bearer ${await sessionJwt('alice')}`);
    expect(response.statusCode).toBe(500);
    expect(response.headers['Content-Type']).toBe('application/json');
    const { error } = response.body as { error: { code: string; message: string } };
    expect(error.code).toBe('misconfigured');
    expect(error.message).toContain(name);
    expect(JSON.stringify(response.body)).not.toContain(API_SECRET);
  });
});
