import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * Bundles a page script with esbuild, as an app would: the real SDK from node_modules and this
 * library from `src/`. Returns the JavaScript.
 */
export async function bundlePage(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`./pages/${entry}`, import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"test"', global: 'globalThis' },
  });
  return result.outputFiles[0]!.text;
}
