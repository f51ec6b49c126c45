// The package's public entries, read from package.json `exports`, so an entry added there is documented
// (and checked by test/docs) without touching the docs code.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The ESM `types` file of one `exports` value, whatever its nesting of conditions (`node`, `import`, …). */
function esmTypes(target) {
  if (typeof target === 'string') return target.endsWith('.d.ts') ? target : undefined;
  if (target === null || typeof target !== 'object') return undefined;
  if (typeof target.import === 'object') return esmTypes(target.import);
  if (typeof target.types === 'string') return target.types;
  for (const value of Object.values(target)) {
    const found = esmTypes(value);
    if (found) return found;
  }
  return undefined;
}

/**
 * Every entry of package.json `exports` that has types: `{ name, subpath, types }`, with `name` the
 * import specifier (`twilio-token-lifecycle/react`) and `types` the absolute path of its built `.d.ts`.
 */
export function packageEntries() {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
  return Object.entries(pkg.exports)
    .map(([subpath, target]) => ({ subpath, types: esmTypes(target) }))
    .filter((entry) => entry.types !== undefined)
    .map(({ subpath, types }) => ({
      subpath,
      name: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`,
      types: fileURLToPath(new URL(types, `file://${root}/`)),
    }));
}

export const packageRoot = root;
