/**
 * A value read from a token, for a message: short strings quoted, anything else by its type. Cut at 40
 * characters, so a message never carries a whole segment of a token (a signature is 43 or more).
 */
export function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value;
}

/** A plain object (not null, not an array). */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** SIDs are two letters and 32 hex digits. */
export const isSid = (prefix: string, value: unknown): value is string =>
  typeof value === 'string' && value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));

/** A duration in words: "90 s", "41.7 days". */
export function duration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 120) return `${Math.round(seconds)} s`;
  if (abs < 7200) return `${Math.round(seconds / 60)} min`;
  if (abs < 172_800) return `${(seconds / 3600).toFixed(1).replace(/\.0$/, '')} h`;
  return `${(seconds / 86_400).toFixed(1).replace(/\.0$/, '')} days`;
}

/**
 * A value found where a SID belongs. A SID (of any kind) is shown: it is not a secret. Any other string is
 * described by its length only: swapped arguments put the API secret in `iss`, and it must not be shown.
 */
export function describeId(value: unknown): string {
  if (typeof value !== 'string') return describe(value);
  if (/^[A-Z]{2}[0-9a-fA-F]{32}$/.test(value)) return value;
  return value === '' ? 'an empty string' : `a ${value.length}-character string that is not a SID (not shown: it may be a secret)`;
}
