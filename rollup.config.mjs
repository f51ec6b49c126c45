import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { rmSync } from 'node:fs';
import { dts } from 'rollup-plugin-dts';
import { mangleInternalProps } from './scripts/mangle-props.mjs';

// Every public entry; a subpath exists only where a peer dependency or a test-only concern demands one.
const entries = {
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  react: 'src/react.ts',
};

// Rollup drops module-level directives; the React entry must keep its 'use client' for Next.js.
const banner = (chunk) => (chunk.isEntry && chunk.name === 'react' ? "'use client';" : '');
const onwarn = (warning, warn) => {
  if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
  warn(warning);
};

// Every build starts from an empty dist/: rollup never deletes, and chunk names change with their content,
// so old chunks would pile up there and `npm pack` would publish them.
const cleanDist = () => ({
  name: 'clean-dist',
  buildStart() {
    rmSync('dist', { recursive: true, force: true });
  },
});

// Internal field names (`peerWaitUntil`, `cannotRefresh`...) become one letter in the browser entries:
// an app's minifier never renames properties, so they would ship whole. The list and the rules for it:
// scripts/internal-props.mjs. Both formats share one plugin, hence one short name per field. The
// CommonJS chunks keep their real export names (`minifyInternalExports: false`): rollup's one-letter
// ones are properties there (`chunk.a`), and would collide with the short ones. The server, doctor and
// CLI builds hold none of these names, and are left alone.
const mangle = mangleInternalProps();

// Dependencies and peers stay imports, so apps dedupe them and tree-shake what they do not use.
const isPackage = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');
// ky ships ESM only: `require('ky')` throws ERR_REQUIRE_ESM on Node 18 and 20 before 20.19, and under
// Jest's CommonJS default. The CommonJS build carries its own copy instead (ESM apps still share one).
const isEsmOnly = (id) => id === 'ky' || id.startsWith('ky/');
const external = isPackage;
const externalForCjs = (id) => isPackage(id) && !isEsmOnly(id);

// The server entry, built apart from the browser entries so no chunk is shared either way: each file is
// whole, importing nothing (the WebCrypto build) or only node:crypto (the Node build, `node` condition).
const serverEntries = { server: 'src/server/index.ts', 'server.node': 'src/server/index.node.ts' };
const serverBuilds = Object.entries(serverEntries).flatMap(([name, input]) =>
  ['es', 'cjs'].map((format) => ({
    input: { [name]: input },
    external: (id) => id.startsWith('node:'),
    plugins: [typescript({ tsconfig: './tsconfig.build.json' })],
    output: { dir: 'dist', format, entryFileNames: format === 'es' ? '[name].js' : '[name].cjs' },
  })),
);
// One declaration for both builds: their APIs are the same.
const serverTypes = ['d.ts', 'd.cts'].map((extension) => ({
  input: { server: serverEntries.server },
  plugins: [dts({ tsconfig: './tsconfig.build.json' })],
  output: { dir: 'dist', format: 'es', entryFileNames: `[name].${extension}` },
}));

// The doctor, built apart like the server entry: one whole file per format that imports nothing (it runs on
// WebCrypto alone), so nothing of it reaches the main entry and no chunk is shared with it.
const doctorInput = { doctor: 'src/doctor.ts' };
const doctorBuilds = ['es', 'cjs'].map((format) => ({
  input: doctorInput,
  plugins: [typescript({ tsconfig: './tsconfig.build.json' })],
  output: { dir: 'dist', format, entryFileNames: format === 'es' ? '[name].js' : '[name].cjs' },
}));
const doctorTypes = ['d.ts', 'd.cts'].map((extension) => ({
  input: doctorInput,
  plugins: [dts({ tsconfig: './tsconfig.build.json' })],
  output: { dir: 'dist', format: 'es', entryFileNames: `[name].${extension}` },
}));
// The `twilio-token-lifecycle` command (package.json `bin`): one ESM file for Node 20+, everything inlined
// but Node's own modules, so `npx` needs nothing else.
const cliBuild = {
  input: { cli: 'src/cli/main.ts' },
  external: (id) => id.startsWith('node:'),
  plugins: [typescript({ tsconfig: './tsconfig.cli.json' })],
  output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', banner: '#!/usr/bin/env node' },
};

export default [
  {
    input: entries,
    external,
    onwarn,
    plugins: [cleanDist(), typescript({ tsconfig: './tsconfig.build.json' }), mangle],
    output: { dir: 'dist', format: 'es', banner, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  },
  {
    input: entries,
    external: externalForCjs,
    onwarn,
    plugins: [nodeResolve({ exportConditions: ['import', 'default'] }), typescript({ tsconfig: './tsconfig.build.json' }), mangle],
    output: { dir: 'dist', format: 'cjs', banner, minifyInternalExports: false, entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
  },
  {
    input: entries,
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
  },
  {
    // The CommonJS types inline ky's too: a `.cts` consumer (node16 resolution) cannot import types from
    // an ESM-only package (TS1479).
    input: entries,
    external: externalForCjs,
    plugins: [dts({ tsconfig: './tsconfig.build.json', respectExternal: true })],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'chunks/[name]-[hash].d.cts' },
  },
  ...serverBuilds,
  ...serverTypes,
  ...doctorBuilds,
  ...doctorTypes,
  cliBuild,
];
