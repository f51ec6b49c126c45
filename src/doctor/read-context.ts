import { GRANT_OF } from './check-grants';
import { isObject } from './describe';
import type { Product } from './types';

const PRODUCTS = new Set<string>(Object.keys(GRANT_OF));
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/** The context the rules check against, every field read and typed. */
export type CheckContext = ReturnType<typeof readContext>;

/** The context with every field of the wrong type dropped: a bad context narrows the checks, never throws. */
export function readContext(context: unknown) {
  const given: Record<string, unknown> = isObject(context) ? context : {};
  const products = Array.isArray(given.products) ? [...new Set((given.products as unknown[]).filter((p): p is Product => typeof p === 'string' && PRODUCTS.has(p)))] : undefined;
  const { twilioCode } = given;
  return {
    apiSecret: text(given.apiSecret),
    accountSid: text(given.accountSid),
    apiKeySid: text(given.apiKeySid),
    region: text(given.region),
    products,
    now: typeof given.now === 'number' && Number.isFinite(given.now) ? given.now : Date.now(),
    // A number, or a string of digits as some SDKs and `serverError.code` carry it.
    twilioCode: typeof twilioCode === 'string' && /^\d{5}$/.test(twilioCode) ? Number(twilioCode) : typeof twilioCode === 'number' && Number.isInteger(twilioCode) ? twilioCode : undefined,
  };
}
