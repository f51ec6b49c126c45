// The Worker in workerd (miniflare): /api/token with sessions and limits in the isolate's memory, and
// in Durable Objects (SESSIONS, RATE_LIMITS), in the same run, each against the same load.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { best, load } from './server.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const BINDINGS = {
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
  TWILIO_API_SECRET: 'benchmark-secret-0123456789abcdef',
  SESSION_SECRET: 'benchmark-session-secret',
};

async function bundle() {
  const result = await build({
    entryPoints: [here('./edge-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*', 'cloudflare:*'],
    // The package's edge build (WebCrypto signer), as a Worker bundler resolves it.
    alias: { 'twilio-token-lifecycle/server': here('../dist/server.js') },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

async function withWorker(script, withDurableObjects, run) {
  const miniflare = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2025-09-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings: BINDINGS,
    ...(withDurableObjects
      ? {
          durableObjects: {
            SESSIONS: { className: 'SessionShard', useSQLite: true },
            RATE_LIMITS: { className: 'RateLimitCounter', useSQLite: true },
          },
        }
      : {}),
    host: '127.0.0.1',
    port: 0,
  });
  try {
    const url = (await miniflare.ready).origin;
    return await run([{ url }]);
  } finally {
    await miniflare.dispose();
  }
}

export async function workerdLoad(seconds = 5, rounds = 2) {
  const script = await bundle();
  const runs = { memory: [], durable: [] };
  for (let round = 0; round < rounds; round++) {
    runs.memory.push(await withWorker(script, false, (servers) => load(servers, seconds)));
    runs.durable.push(await withWorker(script, true, (servers) => load(servers, seconds)));
  }
  const [memory, durable] = [best(runs.memory), best(runs.durable)];
  const row = (name, r) => ({ server: name, 'requests / s': Math.round(r.rps), 'p99 latency (ms)': r.p99, 'errors or non-2xx': r.errors });
  return {
    rows: [
      row('/api/token, Worker in workerd, limits and sessions in the isolate\'s memory', memory),
      row('/api/token, Worker in workerd, limits and sessions in Durable Objects', durable),
    ],
    ratio: durable.rps / memory.rps,
  };
}
