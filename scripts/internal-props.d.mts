/** Internal property names the browser build renames (see internal-props.mjs). */
export declare const INTERNAL_PROPS: readonly string[];
