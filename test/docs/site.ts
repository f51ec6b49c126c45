import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SITE = join(ROOT, 'docs/.vitepress/dist');

/** Every file under `dir`, recursively, skipping the folders named in `skip`. */
export function filesUnder(dir: string, skip: readonly string[] = []): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (skip.includes(path)) return [];
    return entry.isDirectory() ? filesUnder(path, skip) : [path];
  });
}

/** What the site is built from: the docs sources, the built declarations, the files pages include. */
function inputs(): string[] {
  const docs = join(ROOT, 'docs');
  return [
    // The folders too: a page removed changes only its folder's time.
    docs,
    join(docs, 'guide'),
    ...filesUnder(docs, [join(docs, '.vitepress/dist'), join(docs, '.vitepress/cache'), join(docs, 'api')]),
    ...filesUnder(join(ROOT, 'dist')).filter((file) => file.endsWith('.d.ts')),
    ...filesUnder(join(ROOT, 'examples/recipes')),
    ...filesUnder(join(ROOT, 'test/browser/react-app/src')),
    join(ROOT, 'test/guide-testing-example.test.ts'),
    join(ROOT, 'package.json'),
    ...['docs.mjs', 'docs-api.mjs', 'docs-entries.mjs'].map((file) => join(ROOT, 'scripts', file)),
  ];
}

let building: Promise<void> | undefined;

const isFresh = () => {
  const built = join(SITE, 'index.html');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  return inputs().every((file) => statSync(file).mtimeMs < builtAt);
};

const runDocsBuild = () =>
  new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'scripts/docs.mjs')], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm run docs failed:\n${stdout}\n${stderr}`));
      else resolve();
    });
  });

// Test files in other workers may want the site at the same moment: one builds, the others wait for it.
const LOCK = join(ROOT, 'docs/.vitepress/.building');
const STALE_LOCK_MS = 10 * 60_000;

async function buildUnderLock(): Promise<void> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const lockedAt = statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs;
      if (lockedAt === undefined) continue; // released meanwhile: try again
      if (Date.now() - lockedAt > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (!isFresh()) await runDocsBuild();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Builds the site with `node scripts/docs.mjs` (what `npm run docs` runs after the build), unless the
 * one in docs/.vitepress/dist is newer than everything it is built from. Needs dist/ (`npm run build`).
 */
export function ensureDocsSite(): Promise<void> {
  if (isFresh()) return Promise.resolve();
  building ??= buildUnderLock().finally(() => {
    building = undefined;
  });
  return building;
}

/** The built file a site path is served from (VitePress `cleanUrls`: /guide/react is guide/react.html). */
export function siteFile(pathname: string): string | undefined {
  const path = decodeURIComponent(pathname).replace(/^\/+/, '');
  const candidates = path === '' || path.endsWith('/') ? [`${path}index.html`] : [path, `${path}.html`, `${path}/index.html`];
  return candidates.map((candidate) => join(SITE, candidate)).find((file) => file.startsWith(SITE) && existsSync(file) && statSync(file).isFile());
}

/** The site path of a built HTML file (guide/react.html: /guide/react). */
export const sitePath = (file: string) => `/${relative(SITE, file).replace(/index\.html$/, '').replace(/\.html$/, '')}`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Serves the built site on 127.0.0.1 at a free port, as a static host with clean URLs would. */
export async function serveSite(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const file = siteFile(new URL(request.url ?? '/', 'http://site').pathname);
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
