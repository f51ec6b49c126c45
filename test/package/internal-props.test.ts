// @vitest-environment node
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAst } from 'rollup/parseAst';
import { describe, expect, it } from 'vitest';
import { INTERNAL_PROPS } from '../../scripts/internal-props.mjs';
import { mangleProps, shortNames } from '../../scripts/mangle-props.mjs';

// The build renames the properties listed in scripts/internal-props.mjs (scripts/mangle-props.mjs). A
// listed name must never be part of the public API or of what crosses between tabs (which may run other
// builds). Needs `npm run build` first, as the package tests do.
const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(root + path, 'utf8');
const withoutComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
const words = (code: string) => new Set(withoutComments(code).match(/[\w$]+/g));

describe('the renamed internal properties', () => {
  const declarations = readdirSync(root + 'dist', { recursive: true, encoding: 'utf8' }).filter((file) => /\.d\.c?ts$/.test(file));

  it('appear in no public type of any entry', () => {
    expect(declarations.length).toBeGreaterThanOrEqual(10); // index, testing, react, doctor, server, both flavours
    for (const file of declarations) {
      const inFile = words(read(`dist/${file}`));
      expect(INTERNAL_PROPS.filter((name) => inFile.has(name)), `dist/${file}`).toEqual([]);
    }
  });

  it('appear in no message between tabs, under either name', () => {
    // The message types: the token sharing's (and the lease's) and the one Voice registration's.
    const source = withoutComments(read('src/cross-tab/channel.ts') + read('src/adapters/voice-registration.ts').split('export function relayStep')[0]);
    const schema = words(source);
    expect(schema.has('isVisible') && schema.has('usableAt') && schema.has('until')).toBe(true); // the test reads the types
    expect(INTERNAL_PROPS.filter((name) => schema.has(name))).toEqual([]);
    // A one-letter name is a field there only as a key (`v: 1`) or a member (`message.v`).
    const isField = (name: string) => new RegExp(`(^|[{;,\\s])${name}\\??\\s*:|\\.${name}\\b`, 'm').test(source);
    expect(isField('v')).toBe(true); // the test finds a one-letter field
    expect([...shortNames().values()].filter(isField)).toEqual([]);
  });

  const mangle = (code: string) => mangleProps(code, (source: string) => parseAst(source), 'test.js');
  const short = (name: string) => shortNames().get(name);

  it.each([
    { case: 'a member', code: 'a.phase = b.phase;', expected: `a.${short('phase')} = b.${short('phase')};` },
    { case: 'optional chaining', code: 'a?.demands?.length;', expected: `a?.${short('demands')}?.length;` },
    { case: 'a key', code: 'x = { phase: 1, other: 2 };', expected: `x = { ${short('phase')}: 1, other: 2 };` },
    { case: 'a shorthand key', code: 'x = { phase };', expected: `x = { ${short('phase')}: phase };` },
    { case: 'a destructured default', code: 'const { phase = 1 } = s;', expected: `const { ${short('phase')}: phase = 1 } = s;` },
    { case: 'a method', code: 'x = { snapshot() {} };', expected: `x = { ${short('snapshot')}() {} };` },
    { case: 'a class member', code: 'class A { snapshot() {} }', expected: `class A { ${short('snapshot')}() {} }` },
    { case: 'an unlisted name and a variable', code: 'phase.status = { status };', expected: null },
  ])('renames $case', ({ code, expected }) => {
    expect(mangle(code)).toBe(expected);
  });

  it.each([
    { case: 'a computed member', code: "a['phase'];" },
    { case: 'an `in` test', code: "'phase' in a;" },
    { case: 'a quoted key', code: "x = { 'phase': 1 };" },
    { case: 'a property with a short name', code: `a.${short('phase')};` },
  ])('refuses $case', ({ code }) => {
    expect(() => mangle(code)).toThrow(/mangle-props: test\.js:1/);
  });
});
