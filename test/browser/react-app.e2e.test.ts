// @vitest-environment node
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build, preview, type PreviewServer, type ProxyOptions } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClientRecord } from './react-app/src/fake-conversations';
import { hasChromium, launchChromium } from './chromium';
import { startDemoServer } from './demo-server';

// The README's React example (react-app/src/app.tsx), built with Vite and served by `vite preview`,
// whose proxy sends /api to the reference server, as in development. Needs `npm run build` first.
const configFile = fileURLToPath(new URL('./react-app/vite.config.ts', import.meta.url));

const clients = (page: Page) => page.evaluate(() => window.fakeConversations.map((client: FakeClientRecord) => ({ ...client })));
const appText = (page: Page) => page.textContent('#app');
const untilAppSays = async (page: Page, text: string) => {
  try {
    await page.waitForFunction((expected) => document.getElementById('app')?.textContent === expected, text, { timeout: 15_000 });
  } catch (error) {
    // Say what the page showed instead, and which clients it had.
    const shown = await appText(page).catch(() => '(page gone)');
    const made = await clients(page).catch(() => []);
    throw new Error(`Waited for "${text}"; the app shows "${shown}", clients ${JSON.stringify(made)}`, { cause: error });
  }
};
const signIn = async (page: Page, identity: string) => {
  await page.fill('input[name=identity]', identity);
  await page.click('#sign-in button[type=submit]');
};

/** A free port on 127.0.0.1, for a server whose origin must be known before it starts. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

describe.runIf(hasChromium)('the README’s React example, built with Vite, in Chromium', () => {
  let outDir: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const servers: Array<{ close(): Promise<void> }> = [];

  /** `vite preview` of the built app, with /api proxied to `target`. */
  const previewApp = async (proxy: ProxyOptions, port = 0): Promise<string> => {
    const server: PreviewServer = await preview({
      configFile,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port, strictPort: true, proxy: { '/api': proxy } },
    });
    servers.push(server);
    return server.resolvedUrls!.local[0]!.replace(/\/$/, '');
  };
  const demoServer = async (env: Record<string, string>) => {
    const server = await startDemoServer(env);
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'ttl-react-app-'));
    // A development build (explicitly: vitest sets NODE_ENV=test), so StrictMode mounts twice, as in `vite dev`.
    await build({
      configFile,
      mode: 'development',
      logLevel: 'warn',
      define: { 'process.env.NODE_ENV': JSON.stringify('development') },
      build: { outDir, emptyOutDir: true },
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of servers.splice(0)) await server.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('signing in shows a token-backed client ready, signing out shuts it down, and the next user gets a new one', async () => {
    const api = await demoServer({ TOKEN_TTL: '4' });
    const url = await previewApp({ target: api.url });
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error' && message.type() !== 'warning') return;
      problems.push(`console ${message.type()}: ${message.text()}`);
    });

    await page.goto(url);
    expect(await appText(page)).toBe('Signed out');
    await signIn(page, 'alice');
    await untilAppSays(page, 'Connected as alice');
    // One client under StrictMode, created with alice's token; a 4 s token is refreshed and handed over.
    await page.waitForFunction(() => window.fakeConversations[0]!.tokensHanded >= 1, undefined, { timeout: 10_000 });
    // Five listeners: the adapter's two token events and two connection events, and the hook's
    // connectionStateChanged (one set, not StrictMode's two).
    expect(await clients(page)).toEqual([{ identity: 'alice', tokensHanded: expect.any(Number), listeners: 5, isShutDown: false }]);
    // "Connected" only while the client is: its socket drops, and the example says so.
    await page.evaluate(() => window.setFakeConnectionState('connecting'));
    await untilAppSays(page, 'Connecting…');
    await page.evaluate(() => window.setFakeConnectionState('connected'));
    await untilAppSays(page, 'Connected as alice');

    await page.click('#sign-out');
    await untilAppSays(page, 'Signed out');
    await page.waitForFunction(() => window.fakeConversations.every((client) => client.isShutDown));
    expect(await clients(page)).toEqual([{ identity: 'alice', tokensHanded: expect.any(Number), listeners: 0, isShutDown: true }]);
    // Signed out: the manager is stopped, so nothing is fetched any more.
    const requests = api.tokenRequests();
    await page.waitForTimeout(4_500);
    expect(api.tokenRequests()).toBe(requests);

    await signIn(page, 'bob');
    await untilAppSays(page, 'Connected as bob');
    const after = await clients(page);
    expect(after.map(({ identity, isShutDown }) => [identity, isShutDown])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
    expect(api.tokenRequests(200)).toBe(api.tokenRequests());
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('behind a proxy that rewrites Host (changeOrigin: true) gets 403 cross-site, until ALLOWED_ORIGINS names the page’s origin', async () => {
    const strict = await demoServer({});
    const rewriting = await previewApp({ target: strict.url, changeOrigin: true });
    const page = await browser.context.newPage();
    await page.goto(rewriting);
    const answer = await page.evaluate(async () => {
      const response = await fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"identity":"alice"}' });
      return { status: response.status, body: await response.json() };
    });
    expect(answer).toMatchObject({ status: 403, body: { error: { code: 'cross-site' } } });

    // The same proxy, with the page's origin allowed: the example signs in and connects.
    const port = await freePort();
    const allowing = await demoServer({ ALLOWED_ORIGINS: `http://127.0.0.1:${port}` });
    const allowed = await previewApp({ target: allowing.url, changeOrigin: true }, port);
    await page.goto(allowed);
    await signIn(page, 'carol');
    await untilAppSays(page, 'Connected as carol');
    await page.close();
  }, 120_000);
});
