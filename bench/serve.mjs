// A child process for the load benchmark: the reference server with one signer or the other, its
// rate limits and sessions in memory or, with REDIS_URL, in Redis (shared with the other instances).
import { serve } from '@hono/node-server';
import { createApp } from '../examples/server/dist/app.js';
import { loadConfig } from '../examples/server/dist/config.js';
import { createStores } from '../examples/server/dist/stores.js';
import { mintWithHelper } from './helper-signer.mjs';

const config = loadConfig({
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
  TWILIO_API_SECRET: 'benchmark-secret-0123456789abcdef',
  SESSION_SECRET: 'benchmark-session-secret',
  REDIS_URL: process.env.REDIS_URL,
});
const stores = createStores(config, { log: (line) => console.error(line) });
if (!(await stores.ready())) throw new Error(`Redis at ${process.env.REDIS_URL} does not answer`);
const app = createApp(config, {
  rateLimit: { perSession: Number.MAX_SAFE_INTEGER, perAddress: Number.MAX_SAFE_INTEGER, loginsPerAddress: Number.MAX_SAFE_INTEGER },
  mint: process.argv[2] === 'helper' ? mintWithHelper : undefined,
  sessions: stores.sessions,
  rateLimitStore: stores.rateLimitStore,
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`PORT ${info.port}`));
// `cpu` on stdin: this process's CPU time so far (user + system, µs), to divide by the requests served.
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  if (text.includes('cpu')) {
    const { user, system } = process.cpuUsage();
    console.log(`CPU ${user + system}`);
  }
});
process.on('SIGTERM', () => server.close(() => void stores.close().finally(() => process.exit(0))));
