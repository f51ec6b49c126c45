import { serve } from '@hono/node-server';
import { fileURLToPath } from 'node:url';
import { createApp } from './app';
import { proxiedClientAddress } from './client-address';
import { ConfigError, describeConfig, loadConfig } from './config';
import { logConfigFindings } from './self-check';
import { createStores } from './stores';

// `npm start`: the reference token server and the demo page on http://localhost:3000.
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Cannot start: ${error.message}`);
  process.exit(1);
}

// The doctor's offline checks, said once at start (an Auth Token as the secret, a key of the wrong kind…).
if (!config.isLocalOnly) await logConfigFindings(process.env, (line) => console.warn(line));

const demoDir = fileURLToPath(new URL('../../demo/', import.meta.url));
const log = (line: string) => console.log(line);
// REDIS_URL: limits and sessions shared with every other instance; otherwise in this process.
const stores = createStores(config, { log });
if (!(await stores.ready())) log('warning: Redis does not answer yet; starting anyway, on the fallbacks until it does');
const app = createApp(config, {
  demoDir,
  log,
  sessions: stores.sessions,
  rateLimitStore: stores.rateLimitStore,
  // TRUST_PROXY_HOPS: behind a load balancer the socket is the balancer; X-Forwarded-For names the client.
  clientAddress: proxiedClientAddress(config.trustProxyHops),
});
const hostname = process.env.HOST || 'localhost';

const server = serve({ fetch: app.fetch, port: config.port, hostname }, (info) => {
  for (const line of describeConfig(config)) console.log(line);
  console.log(`Demo: http://localhost:${info.port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => void stores.close().finally(() => process.exit(0))));
}
