// `npm run docs` (after the build): the API reference from the built declarations, then the VitePress
// site, into docs/.vitepress/dist. Builds offline: everything comes from node_modules.
import { build } from 'vitepress';
import { writeApiReference } from './docs-api.mjs';
import { packageRoot } from './docs-entries.mjs';

const started = performance.now();
await writeApiReference();
await build(`${packageRoot}/docs`);
console.log(`Docs site in docs/.vitepress/dist (${((performance.now() - started) / 1000).toFixed(1)} s)`);
