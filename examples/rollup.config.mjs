import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import ts from 'typescript';

// Builds the examples: the reference server for Node, and the demo page bundled as an app would
// bundle it, from the library's built `dist/` (run the library's build first).
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

// Type-checking is `npm run typecheck`'s job (the root tsconfig covers examples/); here we only strip types.
const stripTypes = () => ({
  name: 'strip-types',
  transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    const { outputText, sourceMapText } = ts.transpileModule(code, {
      fileName: id,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true, verbatimModuleSyntax: true },
    });
    return { code: outputText, map: sourceMapText };
  },
});

/** Resolves the package's own name to its built ESM entry, as an installed copy would. */
const useBuiltLibrary = () => ({
  name: 'use-built-library',
  resolveId: (id) =>
    id === 'twilio-token-lifecycle' ? here('../dist/index.js') : id === 'twilio-token-lifecycle/testing' ? here('../dist/testing.js') : null,
});

export default [
  {
    // main starts the server; app, config and the signer are also importable (the benchmarks use them).
    input: {
      main: here('./server/main.ts'),
      app: here('./server/app.ts'),
      config: here('./server/config.ts'),
      'mint-access-token': here('./server/mint-access-token.ts'),
      stores: here('./server/stores.ts'),
    },
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    plugins: [nodeResolve({ extensions: ['.ts', '.js'] }), stripTypes()],
    output: { dir: here('./server/dist'), format: 'es', chunkFileNames: 'chunks/[name]-[hash].js' },
  },
  {
    input: here('./demo/src/main.ts'),
    // The token doctor stays out of demo.js: the page imports it (./doctor.js) only when a token is refused.
    external: ['twilio-token-lifecycle/doctor'],
    plugins: [useBuiltLibrary(), nodeResolve({ browser: true, extensions: ['.ts', '.js'] }), stripTypes()],
    // Two fixed files, so the server serves a fixed list of assets.
    output: {
      file: here('./demo/dist/demo.js'),
      format: 'es',
      inlineDynamicImports: true,
      paths: { 'twilio-token-lifecycle/doctor': './doctor.js' },
    },
  },
  {
    // The library's built doctor entry, as the demo's lazily loaded file.
    input: here('../dist/doctor.js'),
    output: { file: here('./demo/dist/doctor.js'), format: 'es' },
  },
];
