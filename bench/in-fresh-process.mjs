// Runs one benchmark in a process of its own: the ones that time real work (signing, HTTP under load)
// must not share a heap and a JIT with the virtual-time benchmarks that ran before them, which slowed
// the load generator and the signer by up to a third in the same process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const child = process.argv[2] === '--child';

/** Calls `exportName` of `./<file>` in a fresh Node process and answers its (JSON) result. */
export function inFreshProcess(file, exportName) {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(import.meta.url);
    const proc = spawn(process.execPath, ['--expose-gc', script, '--child', file, exportName], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${file} ${exportName} exited with ${code}`));
      try {
        resolve(JSON.parse(out.slice(out.lastIndexOf('\n{"result"')).trim()).result);
      } catch (error) {
        reject(new Error(`${file} ${exportName} printed no result: ${error.message}`));
      }
    });
  });
}

if (child) {
  const [file, exportName] = process.argv.slice(3);
  const module = await import(new URL(`./${file}`, import.meta.url).href);
  const result = await module[exportName]();
  process.stdout.write(`\n${JSON.stringify({ result })}\n`);
  process.exit(0);
}
