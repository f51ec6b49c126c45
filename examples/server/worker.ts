import { createApp } from './app';
import { ConfigError, loadConfig } from './config';

/**
 * The Worker's bindings: the same names as the Node server's environment variables (`wrangler.toml`
 * `[vars]`, and `wrangler secret put` for the two secrets).
 */
export type WorkerEnv = Record<string, string | undefined>;

type App = ReturnType<typeof createApp>;

// One app per isolate and set of bindings: sessions and rate limits live in its memory, so they are
// per isolate. Production needs a shared `sessions` store (a Durable Object, say) passed to createApp.
let cached: { env: WorkerEnv; app: App } | undefined;

function appFor(env: WorkerEnv): App {
  if (cached?.env === env) return cached.app;
  // Isolates come and go: a secret made up at start would sign out everyone whenever one does.
  for (const name of ['SESSION_SECRET', 'TWILIO_API_SECRET'] as const) {
    if (!env[name]) throw new ConfigError(`${name} must be set as a Worker secret (wrangler secret put ${name})`);
  }
  const app = createApp(loadConfig(env), {
    // Cloudflare's own header: the address the request came from, which the client cannot set.
    clientAddress: (c) => c.req.header('cf-connecting-ip'),
    log: (line) => console.log(line),
  });
  cached = { env, app };
  return app;
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
    let app: App;
    try {
      app = appFor(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`Cannot serve: ${error.message}`); // the message names the setting, never a secret
      return misconfigured();
    }
    return app.fetch(withHostOfUrl(request), env, context as never);
  },
};
