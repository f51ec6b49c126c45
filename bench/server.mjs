// The reference server: its signer against Twilio's helper library, then /api/token under load.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { mintAccessToken } from '../examples/server/dist/mint-access-token.js';
import { mintWithHelper } from './helper-signer.mjs';

const input = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  apiKeySid: 'SK0123456789abcdef0123456789abcdef',
  apiSecret: 'benchmark-secret-0123456789abcdef',
  identity: 'alice',
  ttlSeconds: 3600,
  grants: { video: {} },
};

function rate(mint, ms = 1500) {
  for (let i = 0; i < 200; i++) mint(); // warm up
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < 100; i++) mint();
    count += 100;
  }
  return count / ((performance.now() - started) / 1000);
}

export function signing() {
  const ours = rate(() => mintAccessToken(input));
  const helper = rate(() => mintWithHelper(input));
  return {
    rows: [
      { signer: 'node:crypto (examples/server)', 'tokens / s': Math.round(ours) },
      { signer: "twilio's jwt.AccessToken (baseline)", 'tokens / s': Math.round(helper) },
    ],
    ratio: ours / helper,
  };
}

async function startServer(minter) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./serve.mjs', import.meta.url)), minter], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 10_000);
    child.stdout.on('data', (chunk) => {
      const match = /PORT (\d+)/.exec(String(chunk));
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

async function load(minter, seconds) {
  const server = await startServer(minter);
  try {
    const login = await fetch(`${server.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"identity":"alice"}' });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const result = await autocannon({
      url: `${server.url}/api/token`,
      method: 'POST',
      headers: { cookie },
      connections: 20,
      pipelining: 4,
      duration: seconds, // bounded in time; the server is stopped below
    });
    return { minter, rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
  } finally {
    await server.stop();
  }
}

export async function serverLoad(seconds = 5) {
  const ours = await load('ours', seconds);
  const helper = await load('helper', seconds);
  const row = (name, r) => ({ server: name, 'requests / s': Math.round(r.rps), 'p99 latency (ms)': r.p99, 'errors or non-2xx': r.errors });
  return { rows: [row('/api/token, node:crypto signer', ours), row("/api/token, twilio helper signer (baseline)", helper)], ratio: ours.rps / helper.rps };
}
