// @vitest-environment node
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { jwtVerify, decodeProtectedHeader } from 'jose';
import { diagnoseAccessToken, type DiagnoseContext } from 'twilio-token-lifecycle/doctor';
import { checkServerConfig } from 'twilio-token-lifecycle/server';
import { logConfigFindings } from '../../examples/server/self-check';

// The reference server checks its own configuration at start (`npm start` runs examples/server/dist/main.js,
// built by `npm run build`) with the doctor's offline checks, and says each finding once, without the secret.
const MAIN = fileURLToPath(new URL('../../examples/server/dist/main.js', import.meta.url));

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const KEY = 'SK0123456789abcdef0123456789abcdef';
const SECRET = 'Tq7ZpL2xVb9NcR4mWs8KdY3hJf6GaE1u';
const AUTH_TOKEN = '9f86d081884c7d659a2feaa0c55ad015';
const RIGHT = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_KEY: KEY, TWILIO_API_SECRET: SECRET };

describe('checkServerConfig (twilio-token-lifecycle/server)', { timeout: 60_000 }, () => {
  it('finds nothing wrong with a right configuration: the sample token passes the doctor', async () => {
    const env = { ...RIGHT, TWILIO_TWIML_APP_SID: `AP${'1'.repeat(32)}`, TWILIO_CHAT_SERVICE_SID: `IS${'2'.repeat(32)}`, TWILIO_REGION: 'ie1', TOKEN_TTL: '86400' };
    expect(await checkServerConfig(env, { diagnose: diagnoseAccessToken })).toEqual({ ok: true, findings: [] });
    expect(await checkServerConfig(env)).toEqual({ ok: true, findings: [] });
  });

  // The options are the caller's, not the server's settings: a blank identity or an unreadable clock
  // (`{ identity: props.identity, now: Number(props.at) }`) is the default, never "the signer refuses
  // these settings" about a configuration that is right.
  it.each([
    ['every option undefined', { diagnose: undefined, now: undefined, identity: undefined }],
    ['identity empty', { identity: '' }],
    ['now NaN', { now: Number.NaN }],
    ['now Infinity', { now: Infinity }],
  ])('takes %s as the defaults: a right configuration is still right', async (_, options) => {
    expect(await checkServerConfig(RIGHT, { diagnose: diagnoseAccessToken, ...options })).toEqual({ ok: true, findings: [] });
  });

  it('hands the doctor a sample token minted as the reference server mints, and the settings as its context', async () => {
    const seen: Array<{ token: unknown; context?: DiagnoseContext }> = [];
    const now = Date.UTC(2026, 11, 7, 12);
    const env = { ...RIGHT, TWILIO_SYNC_SERVICE_SID: `IS${'2'.repeat(32)}`, TWILIO_TWIML_APP_SID: `AP${'1'.repeat(32)}`, TWILIO_REGION: 'au1', TOKEN_TTL: '600' };
    await checkServerConfig(env, { now, diagnose: (token, context) => (seen.push({ token, context: context! }), diagnoseAccessToken(token, context)) });
    expect(seen).toHaveLength(1);
    const token = seen[0]!.token as string;
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { issuer: KEY, subject: ACCOUNT, currentDate: new Date(now) });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1', twr: 'au1' });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.grants).toEqual({
      identity: 'doctor_check',
      data_sync: { service_sid: `IS${'2'.repeat(32)}` },
      voice: { incoming: { allow: true }, outgoing: { application_sid: `AP${'1'.repeat(32)}` } },
      video: {},
    });
    expect(seen[0]!.context).toEqual({ apiSecret: SECRET, accountSid: ACCOUNT, apiKeySid: KEY, region: 'au1', products: ['sync', 'voice', 'video'], now });
  });

  it('names the Auth Token in place of the secret once, with the codes it leads to, and never the secret', async () => {
    const diagnosis = await checkServerConfig({ ...RIGHT, TWILIO_API_SECRET: AUTH_TOKEN }, { diagnose: diagnoseAccessToken });
    expect(diagnosis.ok).toBe(false);
    expect(diagnosis.findings.map((finding) => finding.code)).toEqual(['secret-is-auth-token']);
    expect(diagnosis.findings[0]!.twilioCodes).toContain(20107);
    expect(JSON.stringify(diagnosis)).not.toContain(AUTH_TOKEN);
  });

  it('says a problem the settings and the sample token share once: white space around the secret', async () => {
    const diagnosis = await checkServerConfig({ ...RIGHT, TWILIO_API_SECRET: `${SECRET}\n` }, { diagnose: diagnoseAccessToken });
    expect(diagnosis.findings.map((finding) => finding.code)).toEqual(['secret-has-whitespace']);
  });

  it('reports missing credentials without minting', async () => {
    const diagnosis = await checkServerConfig({});
    expect(diagnosis.findings.map((finding) => finding.code)).toEqual(['missing-setting', 'missing-setting', 'missing-setting']);
  });
});

describe('logConfigFindings (examples/server/self-check.ts)', () => {
  it('logs each finding once, in words, and nothing for a right configuration', async () => {
    const lines: string[] = [];
    await logConfigFindings({ ...RIGHT, TWILIO_API_SECRET: AUTH_TOKEN, TOKEN_TTL: '3600000' }, (line) => lines.push(line));
    expect(lines.filter((line) => line.startsWith('config error (secret-is-auth-token): TWILIO_API_SECRET looks like the Account Auth Token'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('config error (ttl-in-milliseconds): TOKEN_TTL is 3600000'))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(AUTH_TOKEN);
    const quiet: string[] = [];
    await logConfigFindings(RIGHT, (line) => quiet.push(line));
    expect(quiet).toEqual([]);
  });
});

describe('npm start (examples/server/dist/main.js)', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(
      children.splice(0).map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.on('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  });

  /** Starts the server on a free port; resolves with its output so far and its port once it listens. */
  async function start(env: Record<string, string>): Promise<{ output: string[]; port: number }> {
    if (!existsSync(MAIN)) throw new Error('examples/server/dist/main.js is missing: run `npm run build` first');
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const output: string[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s:\n${output.join('\n')}`)), 30_000);
      const read = (chunk: Buffer) => {
        output.push(...String(chunk).split('\n').filter((line) => line.trim() !== ''));
        const listening = output.map((line) => /^Demo: http:\/\/localhost:(\d+)\//.exec(line)).find(Boolean);
        if (listening) {
          clearTimeout(timer);
          resolve(Number(listening[1]));
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${output.join('\n')}`)));
    });
    return { output, port };
  }

  it('says once, at start, that the secret looks like the Auth Token, and never prints it', async () => {
    const { output, port } = await start({ ...RIGHT, TWILIO_API_SECRET: AUTH_TOKEN });
    for (let i = 0; i < 3; i++) expect((await fetch(`http://127.0.0.1:${port}/api/token`, { method: 'POST' })).status).toBeGreaterThanOrEqual(400);
    const said = output.filter((line) => line.includes('config error (secret-is-auth-token)'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('Create an API key');
    // The check runs before the server listens: its line comes first.
    expect(output.findIndex((line) => line.includes('secret-is-auth-token'))).toBeLessThan(output.findIndex((line) => line.startsWith('Demo:')));
    expect(output.join('\n')).not.toContain(AUTH_TOKEN);
  }, 60_000);

  it('says nothing of the kind with a right configuration, nor with no credentials (local tokens)', async () => {
    for (const env of [RIGHT, {}]) {
      const { output } = await start(env);
      expect(output.filter((line) => line.startsWith('config '))).toEqual([]);
      expect(output.join('\n')).not.toContain(SECRET);
    }
  }, 60_000);
});
