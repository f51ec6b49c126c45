// @vitest-environment node
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { build, type Metafile } from 'esbuild';
import { jwtVerify } from 'jose';
import { Miniflare } from 'miniflare';
import { rollup } from 'rollup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const fixture = (name: string) => fileURLToPath(new URL(`./fixture/${name}`, import.meta.url));

// Strings only the adapters use (the core refuses tokens for another identity too, so not that code).
const ADAPTER_MARKERS = ['tokenAboutToExpire', 'tokenWillExpire', 'update-failed'];
const REACT_MARKERS = ['useSyncExternalStore', 'use client'];
// Strings only the server entry holds (its error name and codes, the WebCrypto key import).
const SERVER_MARKERS = ['MintInputError', 'invalid-ttl', 'importKey'];
// Strings only the doctor holds (finding codes and a phrase of its code table).
const DOCTOR_MARKERS = ['secret-is-auth-token', 'ttl-in-milliseconds', 'Twilsock: invalid claim set'];

/** The packed tarball, installed as an app would have it (its dependencies linked from ours). */
let app: string;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'ttl-consumer-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', app], { cwd: root });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const modules = join(app, 'node_modules');
  mkdirSync(modules);
  await run('tar', ['-xzf', join(app, filename), '-C', app]);
  cpSync(join(app, 'package'), join(modules, 'twilio-token-lifecycle'), { recursive: true });
  mkdirSync(join(modules, '@types'));
  // Only what the package declares (and the types and helpers they bring): a dist/ import of anything else fails here.
  for (const dependency of ['rxjs', 'ky', 'react', 'tslib', '@types/react', 'csstype']) {
    symlinkSync(join(root, 'node_modules', dependency), join(modules, dependency));
  }
  for (const file of readdirSync(fixture('.'))) cpSync(fixture(file), join(app, file));
}, 120_000);

afterAll(() => rmSync(app, { recursive: true, force: true }));

async function bundleWithEsbuild(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(app, entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    absWorkingDir: app,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

async function bundleWithRollup(entry: string): Promise<string> {
  const bundle = await rollup({ input: join(app, entry), plugins: [nodeResolve({ browser: true, rootDir: app })], logLevel: 'silent' });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  return output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n');
}

describe('the packed package', () => {
  it("runs the installed package's bin, `twilio-token-lifecycle doctor`, with nothing but Node", async () => {
    const installed = join(app, 'node_modules', 'twilio-token-lifecycle');
    const { bin: bins } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const env = { PATH: process.env.PATH ?? '', TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_API_KEY: `SK${'b'.repeat(32)}`, TWILIO_API_SECRET: 'Tq7ZpL2xVb9NcR4mWs8KdY3hJf6GaE1u' };
    const { stdout } = await run(process.execPath, [join(installed, bins['twilio-token-lifecycle']!), 'doctor', '--offline', '--json'], { cwd: app, env });
    expect(JSON.parse(stdout)).toEqual({ ok: true, findings: [] });
  });

  it('passes publint --strict', async () => {
    const { stdout } = await run(bin('publint'), ['--strict'], { cwd: root });
    expect(stdout).toMatch(/All good/);
  }, 120_000);

  it('passes Are the Types Wrong for every entry and resolution mode', async () => {
    const { stdout } = await run(bin('attw'), ['--pack', '.', '--format', 'ascii'], { cwd: root });
    expect(stdout).toMatch(/No problems found/);
    for (const entry of ['twilio-token-lifecycle', 'twilio-token-lifecycle/testing', 'twilio-token-lifecycle/react', 'twilio-token-lifecycle/server', 'twilio-token-lifecycle/doctor']) {
      expect(stdout).toContain(`"${entry}"`);
    }
  }, 120_000);

  it.each([
    ['esbuild', bundleWithEsbuild],
    ['rollup', bundleWithRollup],
  ])('tree-shakes the adapters and React away from an app that imports createTokenManager (%s)', async (_name, bundle) => {
    const core = await bundle('core-app.js');
    expect(core).toContain('twilio-fpa;v=1'); // the core is there
    for (const marker of [...ADAPTER_MARKERS, ...REACT_MARKERS]) expect(core).not.toContain(marker);
    const withAdapter = await bundle('adapter-app.js');
    expect(withAdapter).toContain('tokenAboutToExpire');
  }, 120_000);

  it('imports every entry, ESM and CJS, in plain Node without a DOM', async () => {
    const { stdout } = await run(process.execPath, [join(app, 'ssr.mjs')], { cwd: app });
    const results = JSON.parse(stdout);
    expect(results.window).toBe('undefined');
    expect(results.state).toEqual({ status: 'idle' });
    expect(results['twilio-token-lifecycle'].esm).toContain('createTokenManager');
    expect(results['twilio-token-lifecycle'].cjs).toEqual(results['twilio-token-lifecycle'].esm);
    expect(results['twilio-token-lifecycle/react'].esm).toEqual([
      'TokenManagerProvider',
      'isSignedOut',
      'twilsockConnection',
      'useAccessToken',
      'useConversationsClient',
      'useSyncClient',
      'useTokenManager',
      'useTokenState',
      'useTwilioClient',
      'useVideoRoom',
      'useVoiceDevice',
      'videoRoomConnection',
      'voiceDeviceConnection',
    ]);
    expect(results['twilio-token-lifecycle/react'].cjs).toEqual(results['twilio-token-lifecycle/react'].esm);
    expect(results['twilio-token-lifecycle/testing'].cjs).toContain('mintTestToken');
    expect(results['twilio-token-lifecycle/server'].esm).toEqual(['MAX_IDENTITY_LENGTH', 'MAX_TTL_SECONDS', 'MintInputError', 'checkServerConfig', 'isMintInputError', 'mintAccessToken']);
    expect(results['twilio-token-lifecycle/server'].cjs).toEqual(results['twilio-token-lifecycle/server'].esm);
    expect(results['twilio-token-lifecycle/doctor'].esm).toEqual(['CLOCK_SKEW_MS', 'MAX_IDENTITY_LENGTH', 'MAX_TTL_SECONDS', 'TWILIO_TOKEN_ERROR_CODES', 'describeTwilioCode', 'diagnoseAccessToken', 'explainTokenError', 'twilioCodeOf']);
    expect(results['twilio-token-lifecycle/doctor'].cjs).toEqual(results['twilio-token-lifecycle/doctor'].esm);
    // Both builds diagnose in plain Node, on its WebCrypto: the same findings.
    expect(results.doctor.cjs).toEqual(results.doctor.esm);
    expect(results.doctor.esm).toEqual({ ok: false, codes: ['signature-mismatch', 'ttl-in-milliseconds'] });
    expect(results.serverBuild).toEqual({ esm: 'server.node.js', cjs: 'server.node.cjs' });
    expect(results.serverTokens.cjs).toBe(results.serverTokens.esm);
    expect(JSON.parse(Buffer.from(results.serverTokens.esm.split('.')[1], 'base64url').toString()).grants).toEqual({ identity: 'ssr-alice' });
  }, 120_000);

  it('keeps the doctor out of every other entry, and its own files import nothing', async () => {
    for (const entry of ['core-app.js', 'adapter-app.js', 'server-everything-else.js', 'server-app.js']) {
      const code = await bundleWithEsbuild(entry);
      for (const marker of DOCTOR_MARKERS) expect(code, `${entry}: ${marker}`).not.toContain(marker);
    }
    const control = await bundleWithEsbuild('doctor-app.js');
    for (const marker of DOCTOR_MARKERS) expect(control).toContain(marker);
    // One file, importing nothing, whatever the conditions (browser, Worker, Node).
    for (const options of [{ platform: 'browser', conditions: ['workerd', 'worker', 'browser'] }, { platform: 'node', conditions: [] }] as const) {
      const result = await build({ entryPoints: [join(app, 'doctor-app.js')], bundle: true, format: 'esm', write: false, metafile: true, absWorkingDir: app, logLevel: 'silent', ...options, conditions: [...options.conditions] });
      expect(Object.keys(result.metafile.inputs).sort()).toEqual(['doctor-app.js', 'node_modules/twilio-token-lifecycle/dist/doctor.js']);
      expect(Object.values(result.metafile.outputs)[0]!.imports).toEqual([]);
    }
    const cjs = readFileSync(join(app, 'node_modules/twilio-token-lifecycle/dist/doctor.cjs'), 'utf8');
    expect(cjs.match(/require\((['"])[^'"]*\1\)/g) ?? []).toEqual([]);
  }, 60_000);

  it('keeps the server entry out of every browser entry: esbuild bundles of the core, an adapter and all of index, react and testing', async () => {
    for (const entry of ['core-app.js', 'adapter-app.js', 'server-everything-else.js']) {
      const code = await bundleWithEsbuild(entry);
      for (const marker of SERVER_MARKERS) expect(code, `${entry}: ${marker}`).not.toContain(marker);
    }
    const control = await bundleWithEsbuild('server-app.js');
    for (const marker of SERVER_MARKERS) expect(control).toContain(marker);
    for (const file of ['index.js', 'index.cjs', 'react.js', 'react.cjs', 'testing.js', 'testing.cjs']) {
      expect(readFileSync(join(app, 'node_modules/twilio-token-lifecycle/dist', file), 'utf8'), file).not.toMatch(/(from|require\()\s*['"][^'"]*server[^'"]*['"]/);
    }
  }, 120_000);

  it.each([
    ['a Worker bundler (workerd, worker, browser)', { platform: 'browser', conditions: ['workerd', 'worker', 'browser'] }, 'server.js', []],
    ['Node', { platform: 'node', conditions: [] }, 'server.node.js', ['node:crypto']],
  ] as const)('resolves the server entry for %s to one file that imports nothing else', async (_name, options, file, imports) => {
    const result = await build({
      entryPoints: [join(app, 'server-app.js')],
      bundle: true,
      format: 'esm',
      write: false,
      metafile: true,
      absWorkingDir: app,
      logLevel: 'silent',
      ...options,
      conditions: [...options.conditions],
    });
    const metafile: Metafile = result.metafile;
    expect(Object.keys(metafile.inputs).sort()).toEqual([`node_modules/twilio-token-lifecycle/dist/${file}`, 'server-app.js']);
    const output = Object.values(metafile.outputs)[0]!;
    expect(output.imports.map((entry) => entry.path)).toEqual(imports);
    // The CommonJS twins: no require() but node:crypto's in the Node build, none in the WebCrypto one.
    const cjs = readFileSync(join(app, 'node_modules/twilio-token-lifecycle/dist', file.replace(/\.js$/, '.cjs')), 'utf8');
    expect(cjs.match(/require\((['"])[^'"]*\1\)/g) ?? []).toEqual(imports.map((path) => `require('${path}')`));
  }, 120_000);

  it('signs in workerd from a Worker bundle of the installed package, with no compatibility flags', async () => {
    const script = (await build({ entryPoints: [join(app, 'server-app.js')], bundle: true, format: 'esm', platform: 'browser', conditions: ['workerd', 'worker', 'browser'], write: false, absWorkingDir: app, logLevel: 'silent' })).outputFiles[0]!.text;
    const secret = 'packed-worker-secret';
    const worker = new Miniflare({ modules: true, script, compatibilityDate: '2025-09-01', bindings: { ACCOUNT_SID: `AC${'a'.repeat(32)}`, API_KEY_SID: `SK${'b'.repeat(32)}`, API_SECRET: secret } });
    try {
      const response = await worker.dispatchFetch('http://localhost/?as-session=alice');
      expect(response.status).toBe(200);
      const { token } = (await response.json()) as { token: string };
      const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'], issuer: `SK${'b'.repeat(32)}` });
      expect(payload.grants).toEqual({ identity: 'alice', video: {} });
      const refused = await worker.dispatchFetch('http://localhost/?as-session=alice%E2%80%8B');
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ error: { code: 'invalid-identity' } });
    } finally {
      await worker.dispose();
    }
  }, 120_000);

  it('runs the CommonJS build without require(esm), as Node 18 and Node 20 before 20.19 do', async () => {
    const { stdout } = await run(process.execPath, ['--no-experimental-require-module', join(app, 'cjs-consumer.cjs')], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ identity: 'cjs-alice' });
  }, 120_000);

  it('loads under a Jest-style CommonJS module registry, which cannot evaluate ES modules', async () => {
    const { stdout } = await run(process.execPath, [join(app, 'jest-style-require.cjs')], { cwd: app });
    const result = JSON.parse(stdout);
    expect(result.exports).toContain('createTokenManager');
    expect(result.state).toEqual({ status: 'idle' });
  }, 120_000);

  it('type-checks a .cts consumer with node16 resolution and skipLibCheck off', async () => {
    await expect(run(bin('tsc'), ['-p', join(app, 'tsconfig.cts.json')], { cwd: app })).resolves.toBeDefined();
  }, 120_000);
});
