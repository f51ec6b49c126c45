// @vitest-environment node
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { packageEntries } from '../../scripts/docs-entries.mjs';
import { SITE, ensureDocsSite, filesUnder, siteFile, sitePath } from './site';

type Entry = { subpath: string; name: string; types: string };
const entries = (packageEntries as () => Entry[])();

// The site as `npm run docs` builds it (about 20 to 60 s; built here unless it is up to date).
beforeAll(() => ensureDocsSite(), 300_000);

const html = (file: string) => readFileSync(file, 'utf8');
const decode = (text: string) => text.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The ids a built page defines, for `#anchor` links. */
const idsOf = (file: string) => new Set([...html(file).matchAll(/\sid="([^"]+)"/g)].map((match) => decode(match[1]!)));

/** Where a link on `page` leads, or why it leads nowhere; undefined for links off the site. */
function brokenLink(page: string, href: string): string | undefined {
  if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(href)) return undefined;
  const url = new URL(href, `http://site${sitePath(page)}`);
  const target = siteFile(url.pathname);
  if (!target) return `${href}: no page at ${url.pathname}`;
  const anchor = decodeURIComponent(url.hash.slice(1));
  if (anchor !== '' && target.endsWith('.html') && !idsOf(target).has(anchor)) return `${href}: no #${anchor} in ${sitePath(target)}`;
  return undefined;
}

/** The names each entry's built declarations export, as TypeScript sees them. */
function exportedNames(): Map<Entry, string[]> {
  const program = ts.createProgram(
    entries.map((entry) => entry.types),
    { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, skipLibCheck: true, noEmit: true, types: [] },
  );
  const checker = program.getTypeChecker();
  return new Map(
    entries.map((entry) => {
      const source = program.getSourceFile(entry.types)!;
      return [entry, checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((symbol) => symbol.name)];
    }),
  );
}

describe('the docs site', () => {
  it('documents every export of every package.json entry, on a page its module links to', () => {
    expect(entries.map((entry) => entry.subpath)).toContain('.');
    const missing: string[] = [];
    let checked = 0;
    for (const [entry, names] of exportedNames()) {
      expect(names.length, entry.name).toBeGreaterThan(0);
      const moduleIndex = siteFile(`/api/${entry.name}/`);
      if (!moduleIndex) {
        missing.push(`${entry.name}: no module page at /api/${entry.name}/`);
        continue;
      }
      const links = new Map([...html(moduleIndex).matchAll(/<a [^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((match) => [decode(match[2]!).trim(), decode(match[1]!)]));
      for (const name of names) {
        checked += 1;
        const href = links.get(name);
        if (href === undefined) missing.push(`${entry.name}: ${name} is not listed on ${sitePath(moduleIndex)}`);
        else {
          const broken = brokenLink(moduleIndex, href);
          if (broken) missing.push(`${entry.name}: ${name}: ${broken}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('has a page for every guide page, and every internal link and asset of every page resolves', () => {
    const pages = filesUnder(SITE).filter((file) => file.endsWith('.html'));
    const guide = filesUnder(`${SITE}/../../guide`).filter((file) => file.endsWith('.md'));
    for (const source of guide) expect(siteFile(`/guide/${source.split('/').pop()!.replace(/\.md$/, '')}`), source).toBeDefined();
    const broken: string[] = [];
    let links = 0;
    for (const page of pages) {
      for (const match of html(page).matchAll(/\s(?:href|src)="([^"]*)"/g)) {
        links += 1;
        const problem = brokenLink(page, decode(match[1]!));
        if (problem) broken.push(`${sitePath(page)}: ${problem}`);
      }
    }
    expect(broken).toEqual([]);
    expect(links).toBeGreaterThan(1000);
  });
});
