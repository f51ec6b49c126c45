// A rollup plugin that renames the internal property names of scripts/internal-props.mjs to short ones in
// every chunk it sees, leaving the code otherwise as rollup wrote it (comments, layout). Why: an app's
// minifier renames variables but never properties, so `state.peerWaitUntil` ships as is; renamed here,
// the browser bundle is about 2 % smaller, and the source keeps its explaining names.
//
// Each name always gets the same short name (by its place in the list), so every chunk, both formats and
// the lazy chunks agree. The build fails rather than guess when:
// - a short name is already a property name in a chunk (it could meet the renamed one on an object);
// - a listed name is read by string (`x['name']`, `'name' in x`, a quoted key), which no rename reaches.
import { INTERNAL_PROPS } from './internal-props.mjs';

// One letter each, the most frequent in minified code first (gzip then finds them in the local variable
// names an app's minifier picks: 40-50 B less than uppercase letters). `v` is left out: it is a field of
// the messages between tabs. The CommonJS build keeps its chunks' real export names
// (`minifyInternalExports: false` in rollup.config.mjs): rollup's one-letter ones would be properties
// there (`chunk.a`); the ESM build reads none as a property.
const SHORT_NAMES = [...'etnrisoaclufdhpmygbkjwxqz', ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/** Each name of `names` and the short name it becomes (by its place in the list). */
export function shortNames(names = INTERNAL_PROPS) {
  if (names.length > SHORT_NAMES.length) throw new Error('internal-props: more names than short names');
  if (new Set(names).size !== names.length) throw new Error('internal-props: a name is listed twice');
  return new Map(names.map((name, index) => [name, SHORT_NAMES[index]]));
}

/** Calls `visit(node, parent)` on every node of an ESTree AST. */
function walk(node, visit, parent) {
  visit(node, parent);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const child of value) if (child && typeof child.type === 'string') walk(child, visit, node);
    } else if (value && typeof value.type === 'string') {
      walk(value, visit, node);
    }
  }
}

const isKey = (node, parent) =>
  !parent.computed &&
  parent.key === node &&
  (parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition');

/**
 * `code` with every listed property renamed; `parse` gives its ESTree AST (rollup's `this.parse`).
 * Throws on a short name already in use as a property, or a listed name read by string.
 */
export function mangleProps(code, parse, fileName, mangled = shortNames()) {
  const short = new Set(mangled.values());
  const edits = new Map();
  const fail = (node, why) => {
    const line = code.slice(0, node.start).split('\n').length;
    throw new Error(`mangle-props: ${fileName}:${line}: ${why} (scripts/internal-props.mjs)`);
  };
  walk(parse(code), (node, parent) => {
    if (!parent) return;
    const isProperty = (parent.type === 'MemberExpression' && parent.property === node && !parent.computed) || isKey(node, parent);
    if (isProperty && node.type === 'Identifier') {
      if (short.has(node.name)) fail(node, `the short name \`${node.name}\` is already a property here`);
      const to = mangled.get(node.name);
      if (!to) return;
      if (code.slice(node.start, node.end) !== node.name) fail(node, `unexpected source at ${node.name}`);
      // `{ name }` becomes `{ X: name }` (its key and value are one identifier in the source).
      edits.set(node.start, { end: node.end, text: parent.shorthand ? `${to}: ${node.name}` : to });
    } else if (node.type === 'Literal' && typeof node.value === 'string' && (mangled.has(node.value) || short.has(node.value))) {
      const isByString =
        (parent.type === 'MemberExpression' && parent.property === node) ||
        (parent.type === 'BinaryExpression' && parent.operator === 'in' && parent.left === node) ||
        isKey(node, parent);
      if (isByString) fail(node, `the property \`${node.value}\` is read by string`);
    }
  });
  if (edits.size === 0) return null;
  let result = '';
  let at = 0;
  for (const [start, { end, text }] of [...edits].sort(([a], [b]) => a - b)) {
    result += code.slice(at, start) + text;
    at = end;
  }
  return result + code.slice(at);
}

/** The rollup plugin: mangles every chunk of the build it is in. */
export function mangleInternalProps(names = INTERNAL_PROPS) {
  const mangled = shortNames(names);
  return {
    name: 'mangle-internal-props',
    renderChunk(code, chunk) {
      const result = mangleProps(code, (source) => this.parse(source), chunk.fileName, mangled);
      if (result === null) return null;
      this.parse(result); // still JavaScript
      return { code: result, map: null };
    },
  };
}
