// The Worker the workerd benchmark loads: examples/server/worker.ts's app and stores, with limits out of
// the way (one session under load would be limited at once), as bench/serve.mjs does on Node.
import { createApp } from '../examples/server/app';
import { loadConfig } from '../examples/server/config';
import { storesFromBindings, type DurableBindings } from '../examples/server/durable-stores';

export { RateLimitCounter, SessionShard } from '../examples/server/durable-objects';

let app: ReturnType<typeof createApp> | undefined;

function configured(env: DurableBindings & Record<string, unknown>) {
  // Memory when unbound, Durable Objects when bound: the same choice the Worker makes.
  const { warning: _perIsolate, ...stores } = storesFromBindings(env, (line) => console.log(line));
  return createApp(loadConfig(env as Record<string, string | undefined>), {
    ...stores,
    // Counted all the same (a limit always counts), but never reached.
    rateLimit: { perSession: Number.MAX_SAFE_INTEGER, perAddress: Number.MAX_SAFE_INTEGER, loginsPerAddress: Number.MAX_SAFE_INTEGER },
    clientAddress: (c) => c.req.header('cf-connecting-ip'),
  });
}

export default {
  fetch(request: Request, env: DurableBindings & Record<string, unknown>) {
    app ??= configured(env);
    return app.fetch(request, env);
  },
};
