// A child process for the load benchmark: the reference server with one signer or the other.
import { serve } from '@hono/node-server';
import { createApp } from '../examples/server/dist/app.js';
import { loadConfig } from '../examples/server/dist/config.js';
import { mintWithHelper } from './helper-signer.mjs';

const config = loadConfig({
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
  TWILIO_API_SECRET: 'benchmark-secret-0123456789abcdef',
});
const app = createApp(config, {
  rateLimit: { perSession: Number.MAX_SAFE_INTEGER, perAddress: Number.MAX_SAFE_INTEGER },
  mint: process.argv[2] === 'helper' ? mintWithHelper : undefined,
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`PORT ${info.port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
