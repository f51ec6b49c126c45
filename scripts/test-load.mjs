// `npm run test:load`: the whole suite beside a busy loop on every core, as when CI shares the machine
// with another job. No test may depend on wall-clock speed, so this must pass as `npm test` does.
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const busy = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
console.log(`test:load: ${busy.length} busy loops beside the suite`);
const stopBusy = () => busy.forEach((child) => child.kill('SIGKILL'));
process.on('exit', stopBusy);
process.on('SIGINT', () => process.exit(130));

const { status } = spawnSync('npm', ['test'], { stdio: 'inherit' });
process.exit(status ?? 1);
