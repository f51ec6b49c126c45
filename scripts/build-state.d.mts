export interface FileTime {
  readonly path: string;
  readonly mtimeMs: number;
}

/** What the two rollup configs write that `npm start` needs, relative to the repository. */
export const BUILD_OUTPUTS: readonly string[];

/**
 * Why the build is stale, or `undefined` when it is up to date: every output exists and none is older
 * than the newest input. `mtimeMs` undefined: the file is missing.
 */
export function staleReason(inputs: readonly FileTime[], outputs: ReadonlyArray<{ readonly path: string; readonly mtimeMs: number | undefined }>): string | undefined;

/** The inputs' and outputs' mtimes, read from the repository at `at` (its root by default). */
export function readBuildState(at?: string): { inputs: FileTime[]; outputs: Array<{ path: string; mtimeMs: number | undefined }> };
