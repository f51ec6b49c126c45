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

// Uppercase first: rollup names a chunk's exports `a`, `b`, ... and the CommonJS build reads them as
// properties (`chunk.a`), so lowercase letters would soon collide.
const SHORT_NAMES = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ', ...[...'abcdefghijklmnopqrstuvwxyz'].map((letter) => `$${letter}`)];

if (INTERNAL_PROPS.length > SHORT_NAMES.length) throw new Error('internal-props: more names than short names');
if (new Set(INTERNAL_PROPS).size !== INTERNAL_PROPS.length) throw new Error('internal-props: a name is listed twice');

/** Each listed name and the short name it becomes. */
export const MANGLED = new Map(INTERNAL_PROPS.map((name, index) => [name, SHORT_NAMES[index]]));
const SHORT = new Set(MANGLED.values());

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
export function mangleProps(code, parse, fileName) {
  const edits = new Map();
  const fail = (node, why) => {
    const line = code.slice(0, node.start).split('\n').length;
    throw new Error(`mangle-props: ${fileName}:${line}: ${why} (scripts/internal-props.mjs)`);
  };
  walk(parse(code), (node, parent) => {
    if (!parent) return;
    const isProperty = (parent.type === 'MemberExpression' && parent.property === node && !parent.computed) || isKey(node, parent);
    if (isProperty && node.type === 'Identifier') {
      if (SHORT.has(node.name)) fail(node, `the short name \`${node.name}\` is already a property here`);
      const short = MANGLED.get(node.name);
      if (!short) return;
      if (code.slice(node.start, node.end) !== node.name) fail(node, `unexpected source at ${node.name}`);
      // `{ name }` becomes `{ X: name }` (its key and value are one identifier in the source).
      edits.set(node.start, { end: node.end, text: parent.shorthand ? `${short}: ${node.name}` : short });
    } else if (node.type === 'Literal' && typeof node.value === 'string' && (MANGLED.has(node.value) || SHORT.has(node.value))) {
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
export function mangleInternalProps() {
  return {
    name: 'mangle-internal-props',
    renderChunk(code, chunk) {
      const mangled = mangleProps(code, (source) => this.parse(source), chunk.fileName);
      if (mangled === null) return null;
      this.parse(mangled); // still JavaScript
      return { code: mangled, map: null };
    },
  };
}
