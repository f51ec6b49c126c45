/**
 * A refused value, for an error message: a number or string as it is, anything else by its type.
 * Never throws: `String()` does on a null-prototype object or a throwing `toString`, and
 * `JSON.stringify` on a BigInt, and a refusal must not become a raw TypeError.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** A plain object (not null, not an array): the shape of `input`, `grants` and each grant. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
