import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { storesFromBindings, type DurableBindings } from './durable-stores';

// The Durable Object classes `wrangler.toml` binds as SESSIONS and RATE_LIMITS.
export { RateLimitCounter, SessionShard } from './durable-objects';

/**
 * The Worker's bindings: the same names as the Node server's environment variables (`wrangler.toml`
 * `[vars]`, and `wrangler secret put` for the two secrets), and the Durable Objects for shared state.
 */
export type WorkerEnv = DurableBindings & { [name: string]: unknown };

type App = ReturnType<typeof createApp>;

// One app per isolate and set of bindings: sessions and rate limits live in the SESSIONS and
// RATE_LIMITS Durable Objects when bound, else in the isolate's memory. A configuration that failed
// is kept too: the same bindings fail the same way, and are logged once.
let cached: { env: WorkerEnv; app: App } | { env: WorkerEnv; error: ConfigError } | undefined;

function configured(env: WorkerEnv): App {
  // Isolates come and go: a secret made up at start would sign out everyone whenever one does.
  for (const name of ['SESSION_SECRET', 'TWILIO_API_SECRET'] as const) {
    if (!env[name]) throw new ConfigError(`${name} must be set as a Worker secret (wrangler secret put ${name})`);
  }
  // Silently ignored, it would leave sessions per isolate while the operator believes them shared.
  if (env.REDIS_URL) {
    throw new ConfigError('REDIS_URL is set, but this Worker cannot reach Redis (no Redis over TCP here): unset it, and bind SESSIONS and RATE_LIMITS (Durable Objects, see wrangler.toml)');
  }
  const log = (line: string) => console.log(line);
  const { warning, ...stores } = storesFromBindings(env, log);
  // Only the string bindings are read as settings.
  const app = createApp(loadConfig(env as Record<string, string | undefined>), {
    ...stores,
    // Cloudflare's own header: the address the request came from, which the client cannot set.
    clientAddress: (c) => c.req.header('cf-connecting-ip'),
    log,
  });
  // Said once per isolate, on its first request (a Worker module exports only handlers and classes).
  if (warning) console.log(warning);
  return app;
}

function appFor(env: WorkerEnv): App | ConfigError {
  if (cached?.env !== env) {
    try {
      cached = { env, app: configured(env) };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`Cannot serve: ${error.message}`); // the message names the setting, never a secret
      cached = { env, error };
    }
  }
  return 'app' in cached ? cached.app : cached.error;
}

// On Cloudflare the URL's host is the `Host` the client sent. Local runners (wrangler dev, miniflare)
// forward with their own loopback `Host`, which the host guard would take for ours: check the URL's.
function withHostOfUrl(request: Request): Request {
  const host = new URL(request.url).host;
  if (request.headers.get('host') === host) return request;
  const headers = new Headers(request.headers);
  headers.set('host', host);
  return new Request(request, { headers });
}

const misconfigured = () =>
  Response.json(
    { error: { code: 'misconfigured', message: 'The token server is misconfigured; its log says why' } },
    { status: 500, headers: { 'Cache-Control': 'no-store' } },
  );

/**
 * The reference token server as a Cloudflare Worker module: the same `createApp` that `main.ts` runs
 * under `@hono/node-server`, with its configuration from the Worker's bindings. Needs the
 * `nodejs_compat` flag (the session cookie is signed with `node:crypto`).
 */
export default {
  fetch(request: Request, env: WorkerEnv, context?: unknown): Response | Promise<Response> {
    const app = appFor(env);
    if (app instanceof ConfigError) return misconfigured();
    return app.fetch(withHostOfUrl(request), env, context as never);
  },
};
