// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// docs/guide/doctor-cli.md stays true: every configuration finding code is explained, and its ts block
// type-checks against the public package names.
const root = fileURLToPath(new URL('../../', import.meta.url));
const guide = readFileSync(`${root}docs/guide/doctor-cli.md`, 'utf8');
const codesFile = readFileSync(`${root}src/doctor/config-finding-codes.ts`, 'utf8');

describe('the doctor CLI guide', () => {
  it('explains every configuration finding code', () => {
    const codes = [...codesFile.matchAll(/\| '([a-z-]+)'/g)].map(([, code]) => code!);
    expect(codes.length).toBe(8);
    for (const code of codes) expect(guide, code).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('has a ts example that type-checks against the package names', () => {
    const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map(([, code]) => code!);
    expect(blocks.length).toBe(1);
    const config = ts.getParsedCommandLineOfConfigFile(`${root}tsconfig.json`, undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const files = new Map(blocks.map((code, index) => [`${root}docs/guide/doctor-cli-example-${index}.ts`, `${code}\nexport {};\n`]));
    const host = ts.createCompilerHost(config.options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (name) => files.has(name) || fileExists(name);
    host.readFile = (name) => files.get(name) ?? readFile(name);
    host.getSourceFile = (name, version, ...rest) => (files.has(name) ? ts.createSourceFile(name, files.get(name)!, version, true) : getSourceFile(name, version, ...rest));
    const program = ts.createProgram({ rootNames: [...files.keys()], options: { ...config.options, noEmit: true }, host });
    const diagnostics = [...files.keys()].flatMap((name) => {
      const file = program.getSourceFile(name)!;
      return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    });
    expect(diagnostics).toEqual([]);
  }, 60_000);
});
