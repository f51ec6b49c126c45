// Is the build up to date? `npm start` and `npm run screenshots` skip the ~30-100 s rollup build when
// every output is newer than every input. The rule (`staleReason`) is pure; `readBuildState` reads mtimes.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What the two rollup configs write that `npm start` needs (the library's entries, the server, the demo). */
export const BUILD_OUTPUTS = [
  ...['index', 'testing', 'react'].flatMap((entry) => [`dist/${entry}.js`, `dist/${entry}.cjs`, `dist/${entry}.d.ts`, `dist/${entry}.d.cts`]),
  ...['dist/server.js', 'dist/server.cjs', 'dist/server.node.js', 'dist/server.node.cjs', 'dist/server.d.ts', 'dist/server.d.cts'],
  'examples/server/dist/main.js',
  'examples/demo/dist/demo.js',
];

/** Files that change what the build writes: the configs and the lock file (a dependency update). */
const CONFIG_FILES = ['package.json', 'package-lock.json', 'rollup.config.mjs', 'examples/rollup.config.mjs', 'tsconfig.json', 'tsconfig.build.json'];
/** Folders whose TypeScript is built; their `dist/` is output. HTML and CSS are served as they are. */
const SOURCE_DIRS = ['src', 'examples'];
const isSource = (name) => /\.(m|c)?(t|j)sx?$/.test(name);

/**
 * Why the build is stale, or `undefined` when it is up to date: every output exists and none is older
 * than the newest input. `mtimeMs` undefined: the file is missing.
 * @param {ReadonlyArray<{ path: string; mtimeMs: number }>} inputs
 * @param {ReadonlyArray<{ path: string; mtimeMs: number | undefined }>} outputs
 * @returns {string | undefined}
 */
export function staleReason(inputs, outputs) {
  if (outputs.length === 0) return 'nothing is built yet';
  const missing = outputs.find((output) => output.mtimeMs === undefined);
  if (missing) return `${missing.path} is missing`;
  const oldest = outputs.reduce((a, b) => (b.mtimeMs < a.mtimeMs ? b : a));
  const newer = inputs.filter((input) => input.mtimeMs > oldest.mtimeMs);
  if (newer.length === 0) return undefined;
  const newest = newer.reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  const others = newer.length > 1 ? ` (and ${newer.length - 1} more)` : '';
  return `${newest.path}${others} changed after ${oldest.path} was built`;
}

function sourcesUnder(base, dir, found = []) {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourcesUnder(base, path, found);
    else if (isSource(entry.name)) found.push({ path: relative(base, path), mtimeMs: statSync(path).mtimeMs });
  }
  return found;
}

/** The inputs' and outputs' mtimes, read from the repository at `at` (its root by default). */
export function readBuildState(at = root) {
  const mtime = (path) => (existsSync(join(at, path)) ? statSync(join(at, path)).mtimeMs : undefined);
  const inputs = [
    ...SOURCE_DIRS.flatMap((dir) => sourcesUnder(at, join(at, dir))),
    ...CONFIG_FILES.filter((path) => mtime(path) !== undefined).map((path) => ({ path, mtimeMs: mtime(path) })),
  ];
  return { inputs, outputs: BUILD_OUTPUTS.map((path) => ({ path, mtimeMs: mtime(path) })) };
}
