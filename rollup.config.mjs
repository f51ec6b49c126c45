import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

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

// Dependencies and peers stay imports, so apps dedupe them and tree-shake what they do not use.
const external = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

export default [
  {
    input: entries,
    external,
    onwarn,
    plugins: [typescript({ tsconfig: './tsconfig.build.json' })],
    output: [
      { dir: 'dist', format: 'es', banner, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      { dir: 'dist', format: 'cjs', banner, entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
    ],
  },
  {
    input: entries,
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
      { dir: 'dist', format: 'es', entryFileNames: '[name].d.cts', chunkFileNames: 'chunks/[name]-[hash].d.cts' },
    ],
  },
];
