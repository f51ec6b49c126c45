// @vitest-environment node
/**
 * The layers stay apart: a test that reads every import statement in src/ (static, `export … from`,
 * and dynamic `import()`) and fails on one that crosses a line it must not.
 *
 * - the pure lifecycle (src/lifecycle) imports no runtime, page or network signals, adapter, React or
 *   cross-tab code;
 * - the core (everything but the entry files, adapters, React, the test kit and the server) imports no
 *   adapter and no React code;
 * - the server half (src/server) imports nothing of the browser code: only itself, the doctor (whose
 *   offline checks it runs at start) and `node:` modules;
 * - the doctor (src/doctor) imports nothing of the browser code either: only itself and the server half.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every .ts file under src/, as a path relative to src/ with forward slashes. */
function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

/** The module specifiers a source text imports, by any kind of import statement. */
export function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  const patterns = [
    /^\s*import\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s*(?:as\s+\w+\s*)?from\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) specifiers.push(match[1]!);
  return specifiers;
}

/** What a file imports: src-relative paths for its own modules (no extension), bare names for packages. */
function resolvedImports(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return importsOf(text).map((specifier) =>
    specifier.startsWith('.') ? relative(SRC, resolve(SRC, dirname(file), specifier)).split('\\').join('/') : specifier,
  );
}

const isUnder = (path: string, ...dirs: string[]) => dirs.some((dir) => path === dir || path.startsWith(`${dir}/`));

// The runtime: the manager, its store and scheduler, and the transports it drives.
const RUNTIME = ['token-manager', 'state-store', 'timeout-scheduler', 'http-token-source', 'token-source', 'options'];
const SIGNALS = ['page-signals'];
const ENTRIES = ['index.ts', 'react.ts'];

interface Rule {
  name: string;
  applies: (file: string) => boolean;
  forbids: (imported: string) => boolean;
}

const RULES: Rule[] = [
  {
    name: 'lifecycle → runtime, signals, adapters, React, cross-tab',
    applies: (file) => isUnder(file, 'lifecycle'),
    forbids: (imported) => RUNTIME.includes(imported) || SIGNALS.includes(imported) || isUnder(imported, 'adapters', 'react', 'cross-tab') || imported === 'react',
  },
  {
    name: 'core → adapters, React',
    applies: (file) => !ENTRIES.includes(file) && !isUnder(file, 'adapters', 'react', 'testing', 'server'),
    forbids: (imported) => isUnder(imported, 'adapters', 'react') || imported === 'react',
  },
  {
    name: 'server → browser code',
    applies: (file) => isUnder(file, 'server'),
    forbids: (imported) => !imported.startsWith('node:') && !isUnder(imported, 'server', 'doctor'),
  },
  {
    name: 'doctor → browser code',
    applies: (file) => isUnder(file, 'doctor'),
    forbids: (imported) => !isUnder(imported, 'doctor', 'server'),
  },
];

function violations(files: Array<{ file: string; imports: string[] }>): string[] {
  return files.flatMap(({ file, imports }) =>
    RULES.filter((rule) => rule.applies(file)).flatMap((rule) =>
      imports.filter((imported) => rule.forbids(imported)).map((imported) => `${file} imports ${imported} (${rule.name})`),
    ),
  );
}

describe('the layers of src/', () => {
  it('has no forbidden import', () => {
    const files = sourceFiles().map((file) => ({ file, imports: resolvedImports(file) }));
    expect(files.length).toBeGreaterThan(40);
    expect(files.some(({ file }) => file.startsWith('lifecycle/'))).toBe(true);
    expect(violations(files)).toEqual([]);
  });

  // The checker itself: each kind of crossing, written each way an import can be written, is caught.
  it.each([
    ['lifecycle/reduce.ts', "import type { SharedToken } from '../cross-tab/channel';", 'cross-tab/channel'],
    ['lifecycle/plan.ts', "import { plan } from '../token-manager';", 'token-manager'],
    ['lifecycle/plan.ts', "export { browserPageSignals } from '../page-signals';", 'page-signals'],
    ['lifecycle/view.ts', "const lazy = () => import('../adapters/video');", 'adapters/video'],
    ['token-manager.ts', "import { attachClient } from './adapters/attach-client';", 'adapters/attach-client'],
    ['state-store.ts', "import { useTokenState } from './react/use-token-state';", 'react/use-token-state'],
    ['cross-tab/cross-tab.ts', "import { useState } from 'react';", 'react'],
    ['server/index.ts', "import { TokenError } from '../errors';", 'errors'],
    ['server/index.ts', "import ky from 'ky';", 'ky'],
  ])('catches %s doing %s', (file, statement, imported) => {
    const imports = importsOf(statement).map((specifier) =>
      specifier.startsWith('.') ? relative(SRC, resolve(SRC, dirname(file), specifier)).split('\\').join('/') : specifier,
    );
    expect(imports).toEqual([imported]);
    expect(violations([{ file, imports }]).length).toBeGreaterThan(0);
  });

  it('allows what the layers may use', () => {
    const allowed = [
      { file: 'lifecycle/reduce.ts', imports: ['access-token', 'errors', 'refresh-policy', 'lifecycle/state'] },
      { file: 'token-manager.ts', imports: ['cross-tab/cross-tab', 'lifecycle/plan', 'rxjs'] },
      { file: 'adapters/video.ts', imports: ['token-manager', 'errors'] },
      { file: 'server/index.node.ts', imports: ['server/mint-access-token-node', 'node:crypto'] },
    ];
    expect(violations(allowed)).toEqual([]);
  });
});
