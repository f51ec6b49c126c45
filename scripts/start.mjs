// `npm start`: builds only when something it is built from changed since the last build, then serves the
// demo. (A full build takes about 30 s; a second start with nothing changed serves at once.)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBuildFresh } from './build-freshness.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => join(root, path);

/** Every file and folder under `dir` (a folder's time changes when a file is added or removed), skipping build output. */
const filesUnder = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        if (entry.isDirectory()) return entry.name === 'dist' || entry.name === 'node_modules' ? [] : [join(dir, entry.name), ...filesUnder(join(dir, entry.name))];
        return [join(dir, entry.name)];
      })
    : [];

const inputs = [
  ...['src', 'examples/server', 'examples/demo'].map(at),
  ...filesUnder(at('src')),
  ...filesUnder(at('examples/server')),
  ...filesUnder(at('examples/demo')),
  ...['rollup.config.mjs', 'scripts/internal-props.mjs', 'scripts/mangle-props.mjs', 'examples/rollup.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'].map(at),
];
// What every build rewrites: the entries of the package and of the examples (chunk names change with content).
const outputs = [
  ...(existsSync(at('dist')) ? readdirSync(at('dist')).filter((name) => /\.(c?js|d\.c?ts)$/.test(name)).map((name) => at(`dist/${name}`)) : []),
  at('examples/server/dist/main.js'),
  at('examples/demo/dist/demo.js'),
  at('examples/demo/dist/doctor.js'),
];

const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;

if (!isBuildFresh(inputs.map(mtime), outputs.map(mtime))) {
  const { status } = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
} else {
  console.log('Build is up to date (npm run build to force one).');
}
await import('../examples/server/dist/main.js');
