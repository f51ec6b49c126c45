import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';

// Fixed routes to fixed files: nothing from the URL ever reaches the file system.
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/demo.css': { file: 'demo.css', type: 'text/css; charset=utf-8' },
  '/demo.js': { file: 'dist/demo.js', type: 'text/javascript; charset=utf-8' },
  // The token doctor, loaded by the page only when a token is refused.
  '/doctor.js': { file: 'dist/doctor.js', type: 'text/javascript; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

/** Serves the demo page and its assets from `demoDir`. */
export function demoPages(demoDir: string) {
  const pages = new Hono();
  for (const [path, { file, type }] of Object.entries(FILES)) {
    pages.get(path, async (c) => {
      const body = await readFile(join(demoDir, file)).catch(() => undefined);
      if (body === undefined) {
        return c.text(`Missing ${file}: run \`npm run build\` first.`, 404);
      }
      c.header('Content-Type', type);
      c.header('Cache-Control', 'no-cache');
      return c.body(body);
    });
  }
  return pages;
}
