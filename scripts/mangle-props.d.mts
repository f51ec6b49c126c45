import type { Plugin } from 'rollup';

/** Each name of `names` and the short name it becomes. */
export declare function shortNames(names?: readonly string[]): Map<string, string>;
/** `code` with every listed property renamed (`null`: nothing to rename); throws on a name it cannot rename safely. */
export declare function mangleProps(code: string, parse: (code: string) => unknown, fileName: string, mangled?: Map<string, string>): string | null;
/** The rollup plugin. */
export declare function mangleInternalProps(names?: readonly string[]): Plugin;
