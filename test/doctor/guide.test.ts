// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { TWILIO_TOKEN_ERROR_CODES } from 'twilio-token-lifecycle/doctor';

// docs/guide/doctor.md stays true: its code table is the module's, every finding code is explained, and
// its ts blocks type-check against the public package names.
const root = fileURLToPath(new URL('../../', import.meta.url));
const guide = readFileSync(`${root}docs/guide/doctor.md`, 'utf8');
const types = readFileSync(`${root}src/doctor/types.ts`, 'utf8');

describe('the doctor guide', () => {
  it('lists every Twilio code of the table, with the findings that explain it', () => {
    const rows = [...guide.matchAll(/^\| (\d{5}) \| [^|]+ \| ([^|]+) \|$/gm)].map(([, code, findings]) => ({
      code: Number(code),
      findings: [...findings!.matchAll(/`([a-z-]+)`/g)].map(([, finding]) => finding),
    }));
    expect(rows).toEqual(TWILIO_TOKEN_ERROR_CODES.map(({ code, findings }) => ({ code, findings: [...findings] })));
    for (const code of [20101, 20102, 20103, 20104, 20105, 20106, 20107, 20151, 20152, 20153, 20154, 20155, 20156, 20157, 20159, 20160, 51007, 51114, 51115, 51116, 51117, 51118, 51119, 51120, 51121]) {
      expect(rows.map((row) => row.code)).toContain(code);
    }
  });

  it('explains every finding code of the contract', () => {
    const codes = [...types.slice(types.indexOf('export type FindingCode'), types.indexOf('export interface Finding ')).matchAll(/\| '([a-z-]+)'/g)].map(([, code]) => code!);
    expect(codes.length).toBeGreaterThanOrEqual(23);
    for (const code of codes) expect(guide, code).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('has ts examples that type-check against the package names', () => {
    const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map(([, code]) => code!);
    expect(blocks.length).toBe(4);
    const config = ts.getParsedCommandLineOfConfigFile(`${root}tsconfig.json`, undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const files = new Map(blocks.map((code, index) => [`${root}docs/guide/doctor-example-${index}.ts`, code]));
    const host = ts.createCompilerHost(config.options);
    const { getSourceFile, fileExists, readFile } = host;
    host.fileExists = (name) => files.has(name) || fileExists(name);
    host.readFile = (name) => files.get(name) ?? readFile(name);
    host.getSourceFile = (name, version, ...rest) =>
      files.has(name) ? ts.createSourceFile(name, files.get(name)!, version, true) : getSourceFile(name, version, ...rest);
    const program = ts.createProgram({ rootNames: [...files.keys()], options: { ...config.options, noEmit: true }, host });
    const diagnostics = [...files.keys()].flatMap((name) => {
      const file = program.getSourceFile(name)!;
      return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => `${name.split('/').pop()}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    });
    expect(diagnostics).toEqual([]);
  }, 60_000);
});
