// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { jwtVerify } from 'jose';
import { Miniflare, type RequestInit as WorkerRequestInit } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessToken } from 'twilio-token-lifecycle';
import { ACCOUNT_SID, API_KEY_SID, BINDINGS, ORIGIN, SECRET } from '../helpers/worker-bindings';

// examples/server/worker.ts bundled as wrangler would (workerd/worker/browser conditions, node:* left to
// the runtime's nodejs_compat), then run in Cloudflare's own runtime, workerd, through miniflare.

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

let script: string;
let bundledInputs: string[];
const workers: Miniflare[] = [];

/** The Worker's console, line by line (workerd's stdout and stderr). */
type Output = { lines: string[] };

async function startWorker(bindings: Record<string, string>, output?: Output): Promise<Miniflare> {
  const worker = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings,
    ...(output
      ? {
          handleRuntimeStdio: (stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) => {
            for (const stream of [stdout, stderr]) {
              stream.on('data', (chunk: Buffer) => output.lines.push(...String(chunk).split('\n').filter((line) => line.trim() !== '')));
            }
          },
        }
      : {}),
  });
  workers.push(worker);
  await worker.ready;
  return worker;
}

async function eventually(check: () => boolean, what: string) {
  for (const deadline = Date.now() + 10_000; !check(); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

beforeAll(async () => {
  const result = await build({
    entryPoints: [here('../../examples/server/worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*', 'cloudflare:*'],
    // The package's own name, as the test suite maps it, to the build a Worker bundler resolves.
    alias: { 'twilio-token-lifecycle/server': here('../../src/server/index.ts'), 'twilio-token-lifecycle/doctor': here('../../src/doctor.ts') },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  script = result.outputFiles[0]!.text;
  bundledInputs = Object.keys(result.metafile.inputs);
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.dispose()));
});

const post = (body?: unknown, cookie?: string): WorkerRequestInit => ({
  method: 'POST',
  headers: { Origin: ORIGIN, 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/** What both Fetch APIs' responses have (miniflare answers with undici's). */
type AnyResponse = { status: number; headers: { get(name: string): string | null }; text(): Promise<string> };

async function expectJsonError(response: AnyResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({ error: { code, message: expect.any(String) } });
  expect(text).not.toContain(SECRET);
}

describe('the example server in workerd', () => {
  it('bundles for a Worker with the WebCrypto signer and without @hono/node-server', () => {
    expect(bundledInputs.some((input) => input.endsWith('src/server/mint-access-token-webcrypto.ts'))).toBe(true);
    expect(bundledInputs.some((input) => input.includes('mint-access-token-node'))).toBe(false);
    expect(bundledInputs.some((input) => input.includes('@hono/node-server'))).toBe(false);
  });

  it('signs in, then gives a token for that session that jose verifies with the API secret', async () => {
    const worker = await startWorker(BINDINGS);
    const login = await worker.dispatchFetch(`${ORIGIN}/api/login`, post({ identity: 'alice' }));
    expect(login.status).toBe(200);
    expect(await login.json()).toEqual({ identity: 'alice' });
    // Carried by hand, as a browser would: the cookie's name=value only.
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^ttl_session=.+/);

    const response = await worker.dispatchFetch(`${ORIGIN}/api/token`, post(undefined, cookie));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { token: string; identity: string; expiresAt: number };
    expect(body.identity).toBe('alice');
    const { payload, protectedHeader } = await jwtVerify(body.token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
      issuer: API_KEY_SID,
      subject: ACCOUNT_SID,
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    expect(payload.grants).toEqual({ identity: 'alice', video: {} });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(parseAccessToken(body.token).expiresAt).toBe(body.expiresAt);
    await expect(jwtVerify(body.token, new TextEncoder().encode('another secret'))).rejects.toThrow(/signature/);
  }, 120_000);

  it('answers 4xx JSON errors: no session, a look-alike identity, a host that is not its own, after logout', async () => {
    const worker = await startWorker(BINDINGS);
    await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/token`, post()), 401, 'no-session');
    await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/login`, post({ identity: 'alice\u200b' })), 400, 'invalid-identity');
    await expectJsonError(await worker.dispatchFetch('http://evil.example/api/login', { ...post({ identity: 'alice' }), headers: { 'Content-Type': 'application/json' } }), 421, 'unknown-host');

    const login = await worker.dispatchFetch(`${ORIGIN}/api/login`, post({ identity: 'bob' }));
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await worker.dispatchFetch(`${ORIGIN}/api/token`, post(undefined, cookie))).status).toBe(200);
    expect((await worker.dispatchFetch(`${ORIGIN}/api/logout`, post(undefined, cookie))).status).toBe(200);
    await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/token`, post(undefined, cookie)), 401, 'no-session');
  }, 120_000);

  it('refuses to serve without its secrets, with a JSON error that names none', async () => {
    const { SESSION_SECRET: _omitted, ...withoutSessionSecret } = BINDINGS;
    const worker = await startWorker(withoutSessionSecret);
    await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/login`, post({ identity: 'alice' })), 500, 'misconfigured');
  }, 120_000);

  it('says once, not per request, why it cannot serve', async () => {
    const { SESSION_SECRET: _omitted, ...withoutSessionSecret } = BINDINGS;
    const output: Output = { lines: [] };
    const worker = await startWorker(withoutSessionSecret, output);
    for (let i = 0; i < 4; i++) await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/login`, post({ identity: 'alice' })), 500, 'misconfigured');
    const cannotServe = () => output.lines.filter((line) => line.includes('Cannot serve: SESSION_SECRET must be set'));
    await eventually(() => cannotServe().length > 0, 'the log line');
    await new Promise((resolve) => setTimeout(resolve, 200)); // any late copies
    expect(cannotServe()).toHaveLength(1);
  }, 120_000);

  it('checks its configuration on its first request (the doctor, offline) and says each finding once, never the secret', async () => {
    const authToken = '9f86d081884c7d659a2feaa0c55ad015';
    const output: Output = { lines: [] };
    const worker = await startWorker({ ...BINDINGS, TWILIO_API_SECRET: authToken, TOKEN_TTL: '3600' }, output);
    // Three first requests at once, then one more: every one is answered, the finding said once.
    const first = await Promise.all([1, 2, 3].map(() => worker.dispatchFetch(`${ORIGIN}/api/token`, post())));
    for (const response of first) await expectJsonError(response, 401, 'no-session');
    await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/token`, post()), 401, 'no-session');
    const said = () => output.lines.filter((line) => line.includes('config error (secret-is-auth-token): TWILIO_API_SECRET looks like the Account Auth Token'));
    await eventually(() => said().length > 0, 'the finding');
    await new Promise((resolve) => setTimeout(resolve, 200)); // any late copies
    expect(said()).toHaveLength(1);
    expect(output.lines.join('\n')).not.toContain(authToken);
  }, 60_000);

  it('refuses a REDIS_URL binding, which it cannot reach, rather than ignoring it', async () => {
    const output: Output = { lines: [] };
    const worker = await startWorker({ ...BINDINGS, REDIS_URL: 'redis://:hunter2@redis.internal:6379' }, output);
    await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/login`, post({ identity: 'alice' })), 500, 'misconfigured');
    await eventually(() => output.lines.some((line) => /Cannot serve: REDIS_URL is set, but this Worker cannot reach Redis/.test(line)), 'the log line');
    expect(output.lines.join('\n')).not.toContain('hunter2');
  }, 120_000);

  it('warns once that its sessions are per isolate', async () => {
    const output: Output = { lines: [] };
    const worker = await startWorker(BINDINGS, output);
    for (let i = 0; i < 3; i++) await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/token`, post()), 401, 'no-session');
    const warnings = () => output.lines.filter((line) => line.includes("warning: sessions and rate limits live in this isolate's memory"));
    await eventually(() => warnings().length > 0, 'the warning');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(warnings()).toHaveLength(1);
  }, 120_000);
});

describe("the server guide's Cloudflare Worker recipe", () => {
  const guide = readFileSync(here('../../docs/guide/server.md'), 'utf8');
  const recipe = /## Cloudflare Worker\n[\s\S]*?```ts(?: ignore)?\n([\s\S]*?)```/.exec(guide)?.[1];

  it('runs in workerd as written, with no compatibility flags: a token for the session user, 401 without one', async () => {
    expect(recipe).toContain("from 'twilio-token-lifecycle/server'");
    const session = "export const signedInUser = async (request) => (request.headers.get('cookie') === 'session=valid-for-u_42' ? { id: 'u_42' } : undefined);";
    const bundle = await build({
      stdin: { contents: recipe!, loader: 'ts', resolveDir: here('.') },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      alias: { 'twilio-token-lifecycle/server': here('../../src/server/index.ts') },
      // The recipe's `./session` is the app's own; here, one that knows a single cookie.
      plugins: [
        {
          name: 'app-session',
          setup(esbuild) {
            esbuild.onResolve({ filter: /^\.\/session$/ }, () => ({ path: 'session', namespace: 'app' }));
            esbuild.onLoad({ filter: /.*/, namespace: 'app' }, () => ({ contents: session, loader: 'js' }));
          },
        },
      ],
      write: false,
      logLevel: 'silent',
    });
    const worker = new Miniflare({ modules: true, script: bundle.outputFiles[0]!.text, compatibilityDate: '2025-09-01', bindings: { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_API_KEY: API_KEY_SID, TWILIO_API_SECRET: SECRET } });
    workers.push(worker);
    const response = await worker.dispatchFetch(`${ORIGIN}/api/token`, { method: 'POST', headers: { Cookie: 'session=valid-for-u_42' } });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'], issuer: API_KEY_SID, subject: ACCOUNT_SID });
    expect(payload.grants).toEqual({ identity: 'u_42', video: {} });
    await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/token`, { method: 'POST', headers: { Cookie: 'session=forged' } }), 401, 'no-session');
    await expectJsonError(await worker.dispatchFetch(`${ORIGIN}/api/other`), 404, 'not-found');
  }, 120_000);
});
