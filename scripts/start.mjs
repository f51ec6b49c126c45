// `npm start`: builds only when a source or config changed since the last build (see build-state.mjs),
// then runs the reference server and the demo page. `npm run build` always builds.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readBuildState, staleReason } from './build-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { inputs, outputs } = readBuildState(root);
const reason = staleReason(inputs, outputs);
if (reason !== undefined) {
  console.log(`Building (${reason})…`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
} else {
  console.log('The build is up to date (npm run build to force one).');
}
await import('../examples/server/dist/main.js');
