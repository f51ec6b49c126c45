import { serve } from '@hono/node-server';
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApp, type AppOptions } from '../../../examples/server/app';
import { loadConfig } from '../../../examples/server/config';

type Closable = { close(callback: () => void): unknown; closeAllConnections?: () => void };
const closeServer = (server: Closable) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });

/** The page script, bundled as an app would bundle it (the library by its public name, from `src/`). */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)),
  });
  return result.outputFiles[0]!.text;
}

/** The page's origin, `http://127.0.0.1:<port>`: one blank page at `/` that loads the bundled `page.ts`. */
export async function startPageServer() {
  const script = await bundlePage();
  const html = '<!doctype html><meta charset="utf-8"><title>cross-origin</title><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    const isScript = req.url === '/page.js';
    res.writeHead(req.url === '/' || isScript ? 200 : 404, {
      'content-type': isScript ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8',
    });
    res.end(isScript ? script : req.url === '/' ? html : 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}

/**
 * The reference server on 127.0.0.1, reached as `http://<name>:<port>`. With `exposeHeaders: false`
 * it is the same server with its `Access-Control-Expose-Headers` taken off every answer: what a
 * server whose CORS exposes nothing sends.
 */
export async function startApiServer(name: 'localhost' | '127.0.0.1', env: Record<string, string>, options: AppOptions & { exposeHeaders?: boolean } = {}) {
  const { exposeHeaders = true, ...appOptions } = options;
  const app = createApp(loadConfig(env), appOptions);
  const fetch = async (request: Request, bindings: unknown) => {
    let response = await app.fetch(request, bindings);
    if (!exposeHeaders) {
      const headers = new Headers(response.headers);
      headers.delete('access-control-expose-headers');
      response = new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }
    return response;
  };
  let server!: ReturnType<typeof serve>;
  await new Promise<void>((resolve) => {
    server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  return {
    url: `http://${name}:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server as unknown as Closable),
  };
}
