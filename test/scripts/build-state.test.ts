// @vitest-environment node
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_OUTPUTS, readBuildState, staleReason } from '../../scripts/build-state.mjs';

const built = (mtimeMs: number | undefined, paths = ['dist/index.js', 'examples/demo/dist/demo.js']) => paths.map((path) => ({ path, mtimeMs }));

describe('staleReason: is the build up to date (npm start skips the build when it is)', () => {
  it.each([
    ['every output newer than every input', [{ path: 'src/a.ts', mtimeMs: 100 }], built(200), undefined],
    ['an input as old as the oldest output', [{ path: 'src/a.ts', mtimeMs: 200 }], built(200), undefined],
    ['no inputs at all', [], built(200), undefined],
    ['a source edited after the build', [{ path: 'src/a.ts', mtimeMs: 100 }, { path: 'src/b.ts', mtimeMs: 300 }], built(200), 'src/b.ts changed after dist/index.js was built'],
    [
      'several sources edited: names the newest, counts the rest',
      [{ path: 'src/a.ts', mtimeMs: 250 }, { path: 'examples/demo/src/main.ts', mtimeMs: 400 }, { path: 'src/b.ts', mtimeMs: 300 }],
      built(200),
      'examples/demo/src/main.ts (and 2 more) changed after dist/index.js was built',
    ],
    [
      'a source newer than one output only (a build stopped half-way)',
      [{ path: 'src/a.ts', mtimeMs: 150 }],
      [{ path: 'dist/index.js', mtimeMs: 100 }, { path: 'examples/demo/dist/demo.js', mtimeMs: 200 }],
      'src/a.ts changed after dist/index.js was built',
    ],
    ['an output missing', [{ path: 'src/a.ts', mtimeMs: 100 }], [{ path: 'dist/index.js', mtimeMs: 200 }, { path: 'examples/demo/dist/demo.js', mtimeMs: undefined }], 'examples/demo/dist/demo.js is missing'],
    ['no outputs listed', [{ path: 'src/a.ts', mtimeMs: 100 }], [], 'nothing is built yet'],
  ] as const)('%s', (_name, inputs, outputs, expected) => {
    expect(staleReason(inputs, outputs)).toBe(expected);
  });
});

describe('readBuildState: the mtimes of a repository', () => {
  it('reads sources and configs as inputs (not dist/, not HTML or CSS) and every build output', () => {
    const repo = mkdtempSync(join(tmpdir(), 'ttl-build-state-'));
    const write = (path: string, seconds: number) => {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), '');
      utimesSync(join(repo, path), seconds, seconds);
    };
    try {
      write('src/index.ts', 100);
      write('examples/demo/src/main.ts', 100);
      write('examples/demo/demo.css', 900); // served as it is: no rebuild for a style change
      write('examples/server/dist/chunks/x.js', 900);
      write('rollup.config.mjs', 100);
      for (const path of BUILD_OUTPUTS) write(path, 200);
      let state = readBuildState(repo);
      expect(state.inputs.map((input) => input.path).sort()).toEqual(['examples/demo/src/main.ts', 'rollup.config.mjs', 'src/index.ts']);
      expect(staleReason(state.inputs, state.outputs)).toBeUndefined();

      write('rollup.config.mjs', 300);
      state = readBuildState(repo);
      expect(staleReason(state.inputs, state.outputs)).toMatch(/^rollup\.config\.mjs changed after dist\/\S+ was built$/);

      write('rollup.config.mjs', 100);
      rmSync(join(repo, 'examples/demo/dist/demo.js'));
      state = readBuildState(repo);
      expect(staleReason(state.inputs, state.outputs)).toBe('examples/demo/dist/demo.js is missing');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
