// `npm run screenshots`: drives the demo in Chromium and writes docs/demo.png (desktop, during a
// refresh with one failure) and docs/demo-phone.png (390 px wide, a second tab following the first).
// Builds first if the built files are missing or older than their sources. CHROMIUM_PATH overrides
// where Chromium is (Debian's /usr/bin/chromium by default).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => join(root, path);
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}
const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

function buildIfNeeded() {
  const outputs = [at('dist/index.js'), at('examples/demo/dist/demo.js'), at('examples/server/dist/main.js')];
  const builtAt = Math.min(...outputs.map(mtime));
  const sourcesAt = Math.max(newest(at('src')), newest(at('examples/demo/src')), newest(at('examples/server')));
  if (builtAt > 0 && builtAt >= sourcesAt) return;
  console.log('Building…');
  for (const args of [['rollup', '-c'], ['rollup', '-c', 'examples/rollup.config.mjs']]) {
    const result = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`npx ${args.join(' ')} failed`);
  }
}

/** The demo server on a free port of 127.0.0.1, with 20 s tokens. */
function startServer() {
  const child = spawn(process.execPath, [at('examples/server/dist/main.js')], {
    cwd: root,
    env: { ...process.env, TOKEN_TTL: '20', PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`The demo server did not start:\n${output}`)), 15_000);
    child.on('exit', (code) => reject(new Error(`The demo server exited (${code}):\n${output}`)));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const port = /Demo: http:\/\/[^:]+:(\d+)\//.exec(output)?.[1];
      if (port === undefined) return;
      clearTimeout(timer);
      child.stdout.resume();
      resolve({ url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') });
    });
  });
}

const untilTokens = (page, count, timeout = 40_000) =>
  page.waitForFunction((n) => window.demo.tokensReceived >= n, count, { timeout });

async function main() {
  buildIfNeeded();
  const server = await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'ttl-screenshots-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: { width: 1200, height: 1000 },
    colorScheme: 'light',
  });
  const errors = [];
  try {
    mkdirSync(at('docs'), { recursive: true });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${server.url}/?identity=alice`);
    await untilTokens(page, 2);
    // Just before the next scheduled refresh, fail the backend for 1 s: that refresh fails once,
    // and its retry succeeds.
    const refreshIn = await page.evaluate(() => window.demo.manager.getState().refreshAt - Date.now());
    await page.waitForTimeout(Math.max(0, refreshIn - 800));
    await page.$eval('#outage', (button) => (button.dataset.seconds = '1'));
    await page.click('#outage');
    await page.waitForSelector('#failures[data-state="failing"]', { timeout: 10_000 });
    // Let the outage band and the retry countdown grow a little, but not past the retry.
    const retryIn = await page.evaluate(() => (window.demo.timeline.outage?.failures.at(-1)?.retryAt ?? Date.now()) - Date.now());
    await page.waitForTimeout(Math.max(0, Math.min(retryIn - 250, 2000)));
    await page.screenshot({ path: at('docs/demo.png'), fullPage: true });
    console.log('Wrote docs/demo.png');

    await page.waitForSelector('#failures[data-state="recovered"]', { timeout: 20_000 });
    const phone = await context.newPage();
    phone.on('pageerror', (error) => errors.push(error.message));
    phone.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(server.url);
    await phone.waitForFunction(() => document.getElementById('status')?.textContent === 'valid');
    const held = await phone.evaluate(() => window.demo.tokensReceived);
    await untilTokens(phone, held + 1);
    await phone.waitForTimeout(1500);
    await phone.screenshot({ path: at('docs/demo-phone.png') });
    console.log('Wrote docs/demo-phone.png');
    // The simulated outage's 503 is the browser's own report of a failed request: expected.
    const unexpected = errors.filter((error) => !/status of 503/.test(error));
    if (unexpected.length > 0) console.warn(`The page logged errors:\n${unexpected.join('\n')}`);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
