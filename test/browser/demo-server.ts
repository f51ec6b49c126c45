import { serve } from '@hono/node-server';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createApp, type AppOptions } from '../../examples/server/app';
import { loadConfig } from '../../examples/server/config';

const demoDir = fileURLToPath(new URL('../../examples/demo/', import.meta.url));

/** The reference server with the built demo page on 127.0.0.1, counting token requests. */
export async function startDemoServer(env: Record<string, string>, options: AppOptions = {}) {
  const lines: string[] = [];
  const app = createApp(loadConfig(env), { demoDir, log: (line) => lines.push(line), ...options });
  let server!: ReturnType<typeof serve>;
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Token requests answered so far, by status. */
    tokenRequests: (status?: number) =>
      lines.filter((line) => line.startsWith('POST /api/token ') && (status === undefined || line.includes(` ${status} `))).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
