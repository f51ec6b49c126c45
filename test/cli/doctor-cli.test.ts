// @vitest-environment node
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessToken } from 'twilio-token-lifecycle/server';
import { startFakeTwilioRest, type FakeTwilioRest, type FakeTwilioRestOptions } from '../helpers/fake-twilio-rest';

// The built command (`npm run build`), spawned with node as `npx twilio-token-lifecycle doctor` runs it,
// against a fake of Twilio's REST API on 127.0.0.1 (test/helpers/fake-twilio-rest.ts).
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const OTHER_ACCOUNT = 'ACfedcba9876543210fedcba9876543210';
const KEY = 'SK0123456789abcdef0123456789abcdef';
const SECRET = 'Tq7ZpL2xVb9NcR4mWs8KdY3hJf6GaE1u';
const OTHER_KEY = 'SKffffeeeeddddccccbbbbaaaa99998888';
const OTHER_SECRET = 'Hs5RkP0wQz3MnB7vXc2LtJ9gFd4YeA6i';
const IE1_KEY = 'SK11112222333344445555666677778888';
const IE1_SECRET = 'Wd8YuI3oPa6SfG1hJk4LzX7cVb0NmQ2e';
// An Account Auth Token's shape: 32 lowercase hex.
const AUTH_TOKEN = '9f86d081884c7d659a2feaa0c55ad015';
const CHAT = 'IS0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a';
const SYNC = 'IS5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b';
const MISSING_SERVICE = 'IS9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c';
const APP = 'AP0123456789abcdef0123456789abcdef';
const WORKSPACE = 'WS0123456789abcdef0123456789abcdef';
const ALL_SECRETS = [SECRET, OTHER_SECRET, IE1_SECRET, AUTH_TOKEN];

const TWILIO: FakeTwilioRestOptions = {
  keys: [
    { sid: KEY, secret: SECRET, accountSid: ACCOUNT },
    { sid: OTHER_KEY, secret: OTHER_SECRET, accountSid: OTHER_ACCOUNT },
    { sid: IE1_KEY, secret: IE1_SECRET, accountSid: ACCOUNT, region: 'ie1' },
  ],
  applications: [{ sid: APP, accountSid: ACCOUNT }, { sid: APP, accountSid: ACCOUNT, region: 'ie1' }],
  conversationsServices: [{ sid: CHAT, accountSid: ACCOUNT }, { sid: CHAT, accountSid: ACCOUNT, region: 'ie1' }],
  syncServices: [{ sid: SYNC, accountSid: ACCOUNT }],
  workspaces: [{ sid: WORKSPACE, accountSid: ACCOUNT }],
};

const RIGHT = {
  TWILIO_ACCOUNT_SID: ACCOUNT,
  TWILIO_API_KEY: KEY,
  TWILIO_API_SECRET: SECRET,
  TWILIO_CHAT_SERVICE_SID: CHAT,
  TWILIO_SYNC_SERVICE_SID: SYNC,
  TWILIO_TWIML_APP_SID: APP,
  TWILIO_TASKROUTER_WORKSPACE_SID: WORKSPACE,
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Report {
  ok: boolean;
  findings: Array<{ code: string; severity: 'error' | 'warning'; message: string; fix: string; twilioCodes: number[] }>;
}

/** Runs the CLI with exactly `env` (and PATH: nothing of this machine's own TWILIO_* leaks in). */
async function cli(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(stdin ?? '');
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  // Whatever the case: no secret and no whole token is ever printed.
  for (const secret of ALL_SECRETS) {
    expect(stdout).not.toContain(secret);
    expect(stderr).not.toContain(secret);
  }
  return { code, stdout, stderr };
}

const json = (run: Run) => JSON.parse(run.stdout) as Report;
const errorCodes = (report: Report) => [...new Set(report.findings.filter((found) => found.severity === 'error').map((found) => found.code))].sort();
const codes = (report: Report) => [...new Set(report.findings.map((found) => found.code))].sort();

let twilio: FakeTwilioRest;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
});

afterEach(async () => {
  await twilio?.close();
});

async function doctor(env: Record<string, string>, extra: string[] = [], options: FakeTwilioRestOptions = TWILIO) {
  twilio = await startFakeTwilioRest(options);
  // A generous per-request timeout: the fake answers at once, however loaded the machine (a test may lower it).
  const run = await cli(['doctor', '--json', '--timeout', '60', ...extra], { ...env, TWILIO_DOCTOR_BASE_URL: twilio.baseUrl });
  return { run, report: json(run) };
}

// Each case spawns Node: a generous bound, far above the usual second or two.
describe('npx twilio-token-lifecycle doctor, against a fake Twilio REST API', { timeout: 60_000 }, () => {
  it('is the package bin, one ESM file with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ 'twilio-token-lifecycle': 'dist/cli.js' });
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('everything right: exit 0, no finding, and each SID was asked for in us1', async () => {
    const { run, report } = await doctor(RIGHT);
    expect(run.code).toBe(0);
    expect(report).toEqual({ ok: true, findings: [] });
    expect(twilio.requests.map(({ host, path }) => `${host}${path}`).sort()).toEqual(
      [
        `api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Applications/${APP}.json`,
        `conversations.twilio.com/v1/Services/${CHAT}`,
        `sync.twilio.com/v1/Services/${SYNC}`,
        `taskrouter.twilio.com/v1/Workspaces/${WORKSPACE}`,
      ].sort(),
    );
  });

  it('a wrong secret: exit 1, credentials-refused', async () => {
    const { run, report } = await doctor({ ...RIGHT, TWILIO_API_SECRET: 'Zz9ZpL2xVb9NcR4mWs8KdY3hJf6GaE1u' });
    expect(run.code).toBe(1);
    expect(report.ok).toBe(false);
    expect(errorCodes(report)).toEqual(['credentials-refused']);
    expect(report.findings[0]!.twilioCodes).toEqual([20103, 20107]);
  });

  it('a key of another account: exit 1, credentials-refused naming the account', async () => {
    const { run, report } = await doctor({ ...RIGHT, TWILIO_API_KEY: OTHER_KEY, TWILIO_API_SECRET: OTHER_SECRET });
    expect(run.code).toBe(1);
    expect(errorCodes(report)).toEqual(['credentials-refused']);
    expect(report.findings.find((found) => found.code === 'credentials-refused')!.message).toContain(ACCOUNT);
  });

  it('a key made in ie1 used against us1: exit 1, region-mismatch saying to set TWILIO_REGION=ie1', async () => {
    const { run, report } = await doctor({ ...RIGHT, TWILIO_API_KEY: IE1_KEY, TWILIO_API_SECRET: IE1_SECRET });
    expect(run.code).toBe(1);
    expect(errorCodes(report)).toEqual(['region-mismatch']);
    expect(report.findings[0]!.fix).toContain('TWILIO_REGION=ie1');
    expect(twilio.requests.map((request) => request.host)).toContain('api.dublin.ie1.twilio.com');
  });

  it('a us1 key with TWILIO_REGION=ie1: region-mismatch saying to unset TWILIO_REGION', async () => {
    const { run, report } = await doctor({ ...RIGHT, TWILIO_REGION: 'ie1' });
    expect(run.code).toBe(1);
    expect(errorCodes(report)).toEqual(['region-mismatch']);
    expect(report.findings[0]!.fix).toMatch(/^Unset TWILIO_REGION/);
  });

  it('the same key with TWILIO_REGION=ie1: exit 0, asked on the ie1 hosts (edge dublin)', async () => {
    const { TWILIO_SYNC_SERVICE_SID: _sync, TWILIO_TASKROUTER_WORKSPACE_SID: _workspace, ...rest } = RIGHT;
    const { run, report } = await doctor({ ...rest, TWILIO_API_KEY: IE1_KEY, TWILIO_API_SECRET: IE1_SECRET, TWILIO_REGION: 'ie1' });
    expect(report).toEqual({ ok: true, findings: [] });
    expect(run.code).toBe(0);
    expect(new Set(twilio.requests.map((request) => request.host))).toEqual(new Set(['api.dublin.ie1.twilio.com', 'conversations.dublin.ie1.twilio.com']));
  });

  it('a Sync service SID that does not exist: exit 1, service-not-found', async () => {
    const { run, report } = await doctor({ ...RIGHT, TWILIO_SYNC_SERVICE_SID: MISSING_SERVICE });
    expect(run.code).toBe(1);
    expect(errorCodes(report)).toEqual(['service-not-found']);
    expect(report.findings[0]!.message).toContain('TWILIO_SYNC_SERVICE_SID');
  });

  it('a Conversations service SID where the Sync one belongs: service-not-found, saying what it is', async () => {
    const { run, report } = await doctor({ ...RIGHT, TWILIO_SYNC_SERVICE_SID: CHAT });
    expect(run.code).toBe(1);
    expect(errorCodes(report)).toEqual(['service-not-found']);
    expect(report.findings[0]!.message).toContain('It is a Conversations service instead');
  });

  it('a TwiML app and a workspace that do not exist: application-not-found, workspace-not-found', async () => {
    const { run, report } = await doctor({ ...RIGHT, TWILIO_TWIML_APP_SID: `AP${'e'.repeat(32)}`, TWILIO_TASKROUTER_WORKSPACE_SID: `WS${'e'.repeat(32)}` });
    expect(run.code).toBe(1);
    expect(errorCodes(report)).toEqual(['application-not-found', 'workspace-not-found']);
  });

  it('the Account Auth Token in place of the API secret: exit 1, secret-is-auth-token (offline) and credentials-refused (online)', async () => {
    const { run, report } = await doctor({ ...RIGHT, TWILIO_API_SECRET: AUTH_TOKEN });
    expect(run.code).toBe(1);
    expect(errorCodes(report)).toEqual(['credentials-refused', 'secret-is-auth-token']);
    expect(report.findings.filter((found) => found.code === 'secret-is-auth-token')).toHaveLength(1);
  });

  it('offline, the Auth Token is still named, and Twilio is never asked', async () => {
    const { run, report } = await doctor({ ...RIGHT, TWILIO_API_SECRET: AUTH_TOKEN }, ['--offline']);
    expect(run.code).toBe(1);
    expect(errorCodes(report)).toEqual(['secret-is-auth-token']);
    expect(twilio.requests).toHaveLength(0);
  });

  it('--offline never dials: the fake sees 0 requests, and a right configuration exits 0', async () => {
    const { run, report } = await doctor(RIGHT, ['--offline']);
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(twilio.requests).toHaveLength(0);
  });

  it('no credentials at all: exit 1, a missing-setting per variable, no request', async () => {
    const { run, report } = await doctor({});
    expect(run.code).toBe(1);
    expect(report.findings.filter((found) => found.code === 'missing-setting').map((found) => found.message.split(' ')[0]).sort()).toEqual([
      'TWILIO_ACCOUNT_SID',
      'TWILIO_API_KEY',
      'TWILIO_API_SECRET',
    ]);
    expect(twilio.requests).toHaveLength(0);
  });

  it('SIDs of the wrong kind and a TTL in milliseconds are named, offline', async () => {
    const { run, report } = await doctor(
      { ...RIGHT, TWILIO_API_KEY: ACCOUNT, TWILIO_TWIML_APP_SID: CHAT, TOKEN_TTL: '3600000' },
      ['--offline'],
    );
    expect(run.code).toBe(1);
    expect(errorCodes(report)).toEqual(['grant-invalid', 'issuer-not-api-key', 'ttl-in-milliseconds']);
    expect(report.findings.find((found) => found.code === 'issuer-not-api-key')!.message).toMatch(/TWILIO_API_KEY .*an Account SID/);
  });

  it('--json prints { ok, findings }, each finding with code, severity, message, fix and twilioCodes', async () => {
    const { run } = await doctor({ ...RIGHT, TWILIO_API_SECRET: AUTH_TOKEN });
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(['findings', 'ok']);
    for (const found of report.findings as Array<Record<string, unknown>>) {
      expect(Object.keys(found).sort()).toEqual(['code', 'fix', 'message', 'severity', 'twilioCodes']);
      expect(found).toMatchObject({ code: expect.any(String), severity: expect.stringMatching(/^(error|warning)$/), message: expect.any(String), fix: expect.any(String) });
      expect((found.twilioCodes as unknown[]).every((code) => Number.isInteger(code))).toBe(true);
    }
  });

  it('prints words without --json: each finding, its fix, and what passed', async () => {
    twilio = await startFakeTwilioRest(TWILIO);
    const bad = await cli(['doctor', '--timeout', '60', '--base-url', twilio.baseUrl], { ...RIGHT, TWILIO_SYNC_SERVICE_SID: MISSING_SERVICE });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^ERROR +service-not-found: TWILIO_SYNC_SERVICE_SID is IS9c/m);
    expect(bad.stdout).toMatch(/fix: Set TWILIO_SYNC_SERVICE_SID/);
    expect(bad.stdout).toMatch(/^ok {6}Twilio accepts API key SK0123456789abcdef0123456789abcdef/m);
    expect(bad.stdout).toContain('secret (set, not shown)');
    expect(bad.stdout).toMatch(/1 error, 0 warnings/);
  });

  it('a Twilio that never answers is a network-error warning after --timeout, never a crash', async () => {
    const { run, report } = await doctor(RIGHT, ['--timeout', '0.5'], { ...TWILIO, hang: true });
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(codes(report)).toEqual(['network-error']);
    expect(report.findings[0]!.message).toMatch(/no answer within 0\.5 s/);
  });

  it.each([
    [503, /answered HTTP 503, Twilio code 20500 .*proves nothing/],
    [429, /answered HTTP 429/],
    [403, /Restricted API key/],
  ])('a %i from Twilio is an online-check-failed warning: exit 0', async (status, message) => {
    const { run, report } = await doctor(RIGHT, [], { ...TWILIO, status });
    expect(run.code).toBe(0);
    expect(report.findings.every((found) => found.code === 'online-check-failed' && found.severity === 'warning')).toBe(true);
    expect(report.findings[0]!.message).toMatch(message);
  });

  it('nothing listening at the base URL is a network-error warning', async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = await cli(['doctor', '--json', '--base-url', `http://127.0.0.1:${port}`], RIGHT);
    expect(run.code).toBe(0);
    expect(codes(json(run))).toEqual(['network-error']);
    expect(json(run).findings[0]!.message).toContain('ECONNREFUSED');
  });
});

describe('doctor --token', { timeout: 60_000 }, () => {
  const minted = (apiSecret: string, extra: Partial<Parameters<typeof mintAccessToken>[0]> = {}) =>
    mintAccessToken({ accountSid: ACCOUNT, apiKeySid: KEY, apiSecret, identity: 'alice', ttlSeconds: 600, grants: { video: {} }, ...extra });

  it('a token signed with another secret: exit 1, signature-mismatch, and its signature is never printed', async () => {
    const token = await minted(OTHER_SECRET);
    for (const format of [['--json'], []]) {
      const run = await cli(['doctor', '--token', token, ...format], { TWILIO_API_SECRET: SECRET });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('signature-mismatch');
      expect(run.stdout).not.toContain(token.split('.')[2]);
    }
  });

  it('the JSON response passed instead of the JWT: token-in-json', async () => {
    const token = await minted(SECRET);
    const run = await cli(['doctor', '--json', '--token', JSON.stringify({ token, identity: 'alice' })], { TWILIO_API_SECRET: SECRET });
    expect(codes(json(run))).toContain('token-in-json');
    expect(run.stdout).not.toContain(token.split('.')[2]);
  });

  it('not a token at all: exit 1, not-a-token', async () => {
    const run = await cli(['doctor', '--json', '--token', 'hello'], {});
    expect(run.code).toBe(1);
    expect(errorCodes(json(run))).toEqual(['not-a-token']);
  });

  it('reads the token from standard input with --token -, checked for the products named', async () => {
    const token = await minted(SECRET);
    const good = await cli(['doctor', '--json', '--token', '-', '--product', 'video'], { ...RIGHT }, `${token}\n`);
    expect(json(good)).toEqual({ ok: true, findings: [] });
    expect(good.code).toBe(0);
    const missing = await cli(['doctor', '--json', '--token', '-', '--product', 'video,sync'], { ...RIGHT }, token);
    expect(missing.code).toBe(1);
    expect(errorCodes(json(missing))).toEqual(['missing-grant']);
  });

  it('with TWILIO_REGION=ie1 in the environment, a token without twr is a region-mismatch', async () => {
    const token = await minted(SECRET);
    const run = await cli(['doctor', '--json', '--token', token], { TWILIO_API_SECRET: SECRET, TWILIO_REGION: 'ie1' });
    expect(errorCodes(json(run))).toEqual(['region-mismatch']);
  });
});

describe('doctor usage', { timeout: 60_000 }, () => {
  it.each([
    [[]],
    [['--json']],
    [['diagnose']],
    [['doctor', '--bogus']],
    [['doctor', 'extra']],
    [['doctor', '--timeout', 'soon']],
    // Rounded to 0 ms, every REST request would abort at once: "no answer within 0 s".
    [['doctor', '--offline', '--timeout', '0.0001']],
    [['doctor', '--base-url', 'ftp://example.com']],
    [['doctor', '--product', 'fax', '--token', 'x']],
    [['doctor', '--twilio-code', '20107']],
    [['doctor', '--token']],
  ])('%j is a usage error: exit 2, the usage on stderr, nothing on stdout', async (args) => {
    const run = await cli(args, RIGHT);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: twilio-token-lifecycle doctor');
  });

  it('a stray argument that may be a secret is not echoed', async () => {
    const run = await cli(['doctor', SECRET], RIGHT);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('<32 characters>');
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await cli(['--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Exit status: 0 no error found, 1 an error found, 2 a usage error');
  });
});

afterAll(async () => {
  await twilio?.close();
});
