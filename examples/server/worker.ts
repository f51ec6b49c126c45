import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { logConfigFindings } from './self-check';

/**
 * The Worker's bindings: the same names as the Node server's environment variables (`wrangler.toml`
 * `[vars]`, and `wrangler secret put` for the two secrets).
 */
export type WorkerEnv = Record<string, string | undefined>;

type App = ReturnType<typeof createApp>;

// One app per isolate and set of bindings: sessions and rate limits live in its memory, so they are
// per isolate. Production needs a shared `sessions` store (a Durable Object, say) passed to createApp.
// A configuration that failed is kept too: the same bindings fail the same way, and are logged once.
let cached: { env: WorkerEnv; app: App } | { env: WorkerEnv; error: ConfigError } | undefined;

// Said once per isolate, on its first request (a Worker module may export only handlers).
const PER_ISOLATE_WARNING =
  "warning: sessions and rate limits live in this isolate's memory: a logout on another isolate ends nothing " +
  'here, and each isolate counts its own limits; pass createApp a shared `sessions` store for production';

function configured(env: WorkerEnv): App {
  // Isolates come and go: a secret made up at start would sign out everyone whenever one does.
  for (const name of ['SESSION_SECRET', 'TWILIO_API_SECRET'] as const) {
    if (!env[name]) throw new ConfigError(`${name} must be set as a Worker secret (wrangler secret put ${name})`);
  }
  // Silently ignored, it would leave sessions per isolate while the operator believes them shared.
  if (env.REDIS_URL) {
    throw new ConfigError('REDIS_URL is set, but this Worker cannot reach Redis (no Redis over TCP here): unset it, and pass createApp a shared sessions store');
  }
  const app = createApp(loadConfig(env), {
    // Cloudflare's own header: the address the request came from, which the client cannot set.
    clientAddress: (c) => c.req.header('cf-connecting-ip'),
    log: (line) => console.log(line),
  });
  console.log(PER_ISOLATE_WARNING);
  return app;
}

/**
 * The app for these bindings, and, for the request that configured it only, the doctor's offline check of
 * its configuration (logged once per set of bindings). Only that request waits for it: a Worker must not
 * await a promise another request created.
 */
function appFor(env: WorkerEnv): { app: App; selfCheck?: Promise<void> } | ConfigError {
  if (cached?.env !== env) {
    try {
      const app = configured(env);
      cached = { env, app };
      return { app, selfCheck: logConfigFindings(env, (line) => console.warn(line)) };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`Cannot serve: ${error.message}`); // the message names the setting, never a secret
      cached = { env, error };
    }
  }
  return 'app' in cached ? { app: cached.app } : cached.error;
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
  async fetch(request: Request, env: WorkerEnv, context?: unknown): Promise<Response> {
    const configuredApp = appFor(env);
    if (configuredApp instanceof ConfigError) return misconfigured();
    // The first request waits for the check (a few ms, offline), so its lines come before the request's.
    if (configuredApp.selfCheck) await configuredApp.selfCheck;
    return configuredApp.app.fetch(withHostOfUrl(request), env, context as never);
  },
};
