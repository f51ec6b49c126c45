// `npm run size`: bundles each public entry as an app would (esbuild, minified, ESM, browser), gzips
// it, and fails when one is over budget. Run `npm run build` first: it measures dist/, as published.
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const dist = (file) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const DEPENDENCIES = ['rxjs', 'ky', 'jwt-decode'];
const KB = 1000;
const BUDGETS = { core: 13 * KB, adapter: 0.6 * KB, react: 0.5 * KB };

if (!existsSync(dist('index.js'))) {
  console.error('dist/ is missing: run `npm run build` first.');
  process.exit(1);
}

/**
 * Minified and gzipped size of an app whose whole code is `source`, bundled with code splitting as
 * Vite and rollup do: `gzip` counts what loads up front, `lazyGzip` the chunks loaded by `import()`
 * (the cross-tab code, fetched when a manager first becomes active in a browser).
 */
async function gzipSize(source, external = []) {
  const result = await build({
    stdin: { contents: source, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'js' },
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    outdir: 'size-out',
    write: false,
    metafile: true,
    external,
    logLevel: 'silent',
  });
  const files = new Map(result.outputFiles.map((file) => [relative(process.cwd(), file.path), file.contents]));
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((name) => outputs[name].entryPoint !== undefined);
  const initial = new Set();
  const visit = (name) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const imported of outputs[name].imports) if (imported.kind === 'import-statement' && outputs[imported.path]) visit(imported.path);
  };
  visit(entry);
  const measure = (names) => names.reduce((sum, name) => sum + gzipSync(files.get(name), { level: 9 }).length, 0);
  const lazy = [...files.keys()].filter((name) => !initial.has(name) && name.endsWith('.js'));
  return {
    min: [...initial].reduce((sum, name) => sum + files.get(name).length, 0),
    gzip: measure([...initial]),
    lazyGzip: measure(lazy),
  };
}

const core = `export { createTokenManager, parseAccessToken } from ${JSON.stringify(dist('index.js'))};`;
const withCore = (names, file = 'index.js') => `${core}\nexport { ${names} } from ${JSON.stringify(dist(file))};`;

const rows = [];
const failures = [];
const check = (name, size, budget, base) => {
  const measured = base ? size.gzip - base.gzip : size.gzip;
  const ok = measured <= budget;
  rows.push({ entry: name, 'min (B)': size.min, 'gzip (B)': size.gzip, 'measured (B)': measured, 'budget (B)': budget, ok: ok ? 'yes' : 'NO' });
  if (!ok) failures.push(`${name}: ${measured} B gzip, budget ${budget} B`);
};

const coreSize = await gzipSize(core);
check('core (createTokenManager + parseAccessToken, with rxjs, ky, jwt-decode)', coreSize, BUDGETS.core);
for (const adapter of ['attachConversations', 'attachChat', 'attachSync', 'attachVoice', 'connectVideo']) {
  check(`+ ${adapter}`, await gzipSize(withCore(adapter)), BUDGETS.adapter, coreSize);
}
check('+ all five adapters', await gzipSize(withCore('attachConversations, attachChat, attachSync, attachVoice, connectVideo')), 5 * BUDGETS.adapter, coreSize);
check('+ react (useTokenState, useAccessToken; react external)', await gzipSize(withCore('useTokenState, useAccessToken', 'react.js'), ['react']), BUDGETS.react, coreSize);

console.log('Size budget (esbuild, minified ESM for the browser, gzip -9; "measured" is the increment over the core)');
console.table(rows);

const own = await gzipSize(core, DEPENDENCIES);
console.log(`Core split: our own code ${own.gzip} B gzip; rxjs + ky + jwt-decode ${coreSize.gzip - own.gzip} B (of ${coreSize.gzip} B).`);
console.log(`Loaded later, on first use in a browser: the cross-tab chunk, ${coreSize.lazyGzip} B gzip (core and chunk together: ${coreSize.gzip + coreSize.lazyGzip} B).`);

// For scale, measured the same way in the same run, where the package is installed.
const baselines = [
  ['oidc-client-ts (UserManager)', `export { UserManager } from 'oidc-client-ts';`],
  ['@azure/msal-browser (PublicClientApplication)', `export { PublicClientApplication } from '@azure/msal-browser';`],
];
const scale = [];
for (const [name, source] of baselines) {
  try {
    const size = await gzipSize(source);
    scale.push({ library: name, 'gzip (B)': size.gzip, 'ours is': `${((coreSize.gzip / size.gzip) * 100).toFixed(0)}% of it` });
  } catch {
    // not installed: nothing to compare
  }
}
if (scale.length > 0) console.table(scale);

if (failures.length > 0) {
  console.error(`Over budget:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('All entries within budget.');
