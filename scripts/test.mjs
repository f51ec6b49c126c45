// `npm test`: every step runs even when an earlier one fails (a red unit test must not hide the browser
// tests), and the summary names each step's result. Only a failed build stops the run: nothing else can
// be tested without it.
import { spawnSync } from 'node:child_process';

const steps = [
  ['build', 'npm', ['run', 'build']],
  ['typecheck', 'npm', ['run', 'typecheck']],
  ['size', 'npm', ['run', 'size']],
  ['unit and integration tests', 'npx', ['vitest', 'run', '--exclude', 'test/browser/**']],
  ['browser tests', 'npm', ['run', 'test:browser']],
];

const results = [];
for (const [name, command, args] of steps) {
  const started = Date.now();
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  results.push({ name, ok: status === 0, seconds: Math.round((Date.now() - started) / 1000) });
  if (name === 'build' && status !== 0) break;
}

console.log('\nnpm test:');
for (const { name, ok, seconds } of results) console.log(`  ${ok ? 'passed' : 'FAILED'}  ${name} (${seconds} s)`);
if (results.length < steps.length) console.log('  (not run: the build failed)');
process.exit(results.every((result) => result.ok) && results.length === steps.length ? 0 : 1);
