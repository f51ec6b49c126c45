// Writes the API reference (docs/api/, Markdown for VitePress) from the JSDoc of the built declarations
// of every entry in package.json `exports`. Run after `npm run build`; `npm run docs` does both.
import { existsSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { Application, Converter, ReflectionKind } from 'typedoc';
import { packageEntries, packageRoot } from './docs-entries.mjs';

const out = `${packageRoot}/docs/api`;

/** Generates docs/api; resolves when written, rejects when TypeDoc reports an error. */
export async function writeApiReference() {
  const entries = packageEntries();
  const missing = entries.filter((entry) => !existsSync(entry.types));
  if (missing.length > 0) throw new Error(`Run \`npm run build\` first: missing ${missing.map((entry) => entry.types).join(', ')}`);
  // TypeDoc names a module after its file (dist/react.d.ts: `react`).
  const nameOf = new Map(entries.map((entry) => [basename(entry.types, '.d.ts'), entry.name]));

  const app = await Application.bootstrapWithPlugins({
    entryPoints: entries.map((entry) => entry.types),
    tsconfig: `${packageRoot}/scripts/tsconfig.docs-api.json`,
    // Types an export refers to but the entry does not export (the options every manager takes, say) are
    // documented too, in the module of the export that refers to them.
    placeInternalsInOwningModule: true,
    // rxjs's, ky's and React's own types are theirs to document.
    excludeExternals: true,
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme', 'typedoc-plugin-missing-exports'],
    out,
    readme: 'none',
    name: 'API reference',
    hideGenerator: true,
    // Line numbers in hashed chunk files would change with every build.
    disableSources: true,
    excludePrivate: true,
    excludeInternal: true,
    sort: ['kind', 'alphabetical'],
    docsRoot: `${packageRoot}/docs`,
    sidebar: { pretty: true },
    // One sidebar group per entry, `twilio-token-lifecycle/react` beside `twilio-token-lifecycle`, not in it.
    navigation: { includeFolders: false },
    entryFileName: 'index',
    treatWarningsAsErrors: false,
    logLevel: 'Warn',
    validation: { notExported: true, invalidLink: true, notDocumented: false },
  });
  // Modules are named after their import specifier, not their file (`twilio-token-lifecycle/react`, not `react`).
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.children ?? []) {
      if (!module.kindOf(ReflectionKind.Module)) continue;
      const name = nameOf.get(module.name);
      if (!name) throw new Error(`No package.json export for the module TypeDoc calls ${module.name}`);
      module.name = name;
    }
  });
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the declarations');
  app.validate(project);
  rmSync(out, { recursive: true, force: true });
  await app.generateOutputs(project);
  if (app.logger.hasErrors()) throw new Error('TypeDoc reported errors');
  return { out, entries };
}

if (import.meta.url === `file://${process.argv[1]}`) await writeApiReference();
