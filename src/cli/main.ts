// `npx twilio-token-lifecycle doctor`: the package's `bin` (built to dist/cli.js, with a shebang).
import { diagnoseAccessToken } from '../doctor';
import { mintAccessToken } from '../server/mint-access-token-node';
import { runDoctorCommand } from './doctor-command';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

process.exitCode = await runDoctorCommand(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin,
  mint: mintAccessToken,
  diagnose: diagnoseAccessToken,
});
