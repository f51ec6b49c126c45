import { error } from './finding';
import type { Finding } from './types';

/** A token without `twr` is taken as us1. */
export const DEFAULT_REGION = 'us1';

/** The token's region (header `twr`, absent = us1) against the expected one. Pure. */
export function checkRegion(twr: unknown, expected: string): Finding[] {
  const actual = typeof twr === 'string' && twr !== '' ? twr.toLowerCase() : DEFAULT_REGION;
  const wanted = expected.toLowerCase();
  if (typeof twr !== 'undefined' && typeof twr !== 'string') return []; // a bad-header already
  if (actual === wanted) return [];
  const named = twr === undefined || twr === '' ? `names no region (no "twr" in its header), so Twilio takes it as ${DEFAULT_REGION}` : `names region ${actual} (header "twr")`;
  return [
    error(
      'region-mismatch',
      `The token ${named}, but it is meant for ${wanted}. An API key works only in the region it was created in, and the token must name that region.`,
      wanted === DEFAULT_REGION
        ? `Mint without a region (or region: '${DEFAULT_REGION}') with a key created in ${DEFAULT_REGION}, or point your clients at ${actual} if the key was made there.`
        : `Mint with the helper's region option, region: '${wanted}', using an API key created in ${wanted}, and set the SDK's region/edge to match.`,
    ),
  ];
}
