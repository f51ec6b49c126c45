// @vitest-environment node
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { packageEntries } from '../../scripts/docs-entries.mjs';
import { ROOT } from './site';

// Every ```ts and ```tsx block of README.md and the docs pages is type-checked with `strict` against the
// built package (dist/*.d.ts, as an app that installed it sees it) and the real SDK types. A block that is
// deliberately partial says so: ```ts ignore.

type Block = { source: string; line: number; lang: 'ts' | 'tsx'; code: string };

const DOCS = join(ROOT, 'docs');
const markdownFiles = [
  join(ROOT, 'README.md'),
  join(DOCS, 'index.md'),
  ...readdirSync(join(DOCS, 'guide'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => join(DOCS, 'guide', file)),
];

function codeBlocks(file: string): Block[] {
  const text = readFileSync(file, 'utf8');
  const blocks: Block[] = [];
  for (const match of text.matchAll(/^```(tsx|ts)(?![\w-])([^\n]*)\n([\s\S]*?)^```/gm)) {
    const meta = match[2]!.trim().split(/\s+/);
    if (meta.includes('ignore')) continue;
    const line = text.slice(0, match.index).split('\n').length + 1;
    blocks.push({ source: relative(ROOT, file), line, lang: match[1] as 'ts' | 'tsx', code: match[3]! });
  }
  return blocks;
}

const work = join(ROOT, '.tmp');
mkdirSync(work, { recursive: true });
// Inside the repository, so that the blocks' imports of SDKs, vite or vitest resolve from node_modules.
const dir = mkdtempSync(join(work, 'docs-blocks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('type-checks every ts and tsx code block of README.md and docs/ against the built package, strict', () => {
  const blocks = markdownFiles.flatMap(codeBlocks);
  // `twilio-token-lifecycle*` is the built declarations of each package.json export.
  const paths = Object.fromEntries(
    (packageEntries as () => Array<{ name: string; types: string }>)().map((entry) => [entry.name, [entry.types]]),
  );
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: ['node'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    jsx: ts.JsxEmit.ReactJSX,
    esModuleInterop: true,
    paths,
  };
  const files = blocks.map((block, index) => {
    const file = join(dir, `${block.source.replace(/[^a-z0-9]+/gi, '-')}-${block.line}-${index}.${block.lang}`);
    // Each block is a module of its own (top-level await, no names shared between blocks).
    writeFileSync(file, `${block.code}\nexport {};\n`);
    return { file, block };
  });
  const program = ts.createProgram(
    files.map(({ file }) => file),
    options,
  );
  const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const found = files.find(({ file }) => file === diagnostic.file?.fileName);
    if (!found || diagnostic.start === undefined) return `${diagnostic.file?.fileName ?? '(no file)'}: ${message}`;
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    return `${found.block.source}:${found.block.line + line}: ${message}`;
  });
  expect(problems).toEqual([]);
  // README's own blocks and the guide's: the extraction finds them.
  expect(blocks.filter((block) => block.source === 'README.md').length).toBeGreaterThanOrEqual(9);
  expect(blocks.length).toBeGreaterThanOrEqual(20);
}, 120_000);
