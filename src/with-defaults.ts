/**
 * `defaults` with each field `options` sets. A field set to `undefined` or `null` keeps its default, as
 * an absent one does: `{ baseDelayMs: process.env.X && Number(process.env.X) }` must not mean a NaN
 * backoff, nor `{ method: undefined }` or a JSON config's `"method": null` a GET.
 */
export function withDefaults<T extends object>(defaults: T, options: Partial<T> | undefined): T {
  const result = { ...defaults };
  for (const key in options) if (options[key] != null) result[key] = options[key]!;
  return result;
}
