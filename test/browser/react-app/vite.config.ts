import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The README's React example as a Vite app, with the reference server (`npm start`, port 3000) behind
// Vite's proxy: `npx vite test/browser/react-app` after `npm run build`. The package resolves to this
// repository's dist/, as an installed copy would, and '@twilio/conversations' to a fake Client, since
// this machine cannot reach Twilio.
const api = {
  target: process.env.API_URL ?? 'http://127.0.0.1:3000',
  // The default, spelled out: with `true` the server sees another Host than the page's Origin and
  // answers 403 `cross-site` (see README, React, and docs/guide/troubleshooting.md, "Dev proxies").
  changeOrigin: false,
};

export default defineConfig({
  root: here('.'),
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^twilio-token-lifecycle\/react$/, replacement: here('../../../dist/react.js') },
      { find: /^twilio-token-lifecycle$/, replacement: here('../../../dist/index.js') },
      { find: /^@twilio\/conversations$/, replacement: here('./src/fake-conversations.ts') },
    ],
  },
  server: { proxy: { '/api': api } },
  preview: { proxy: { '/api': api } },
});
