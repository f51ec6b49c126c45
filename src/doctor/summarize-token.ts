import { DEFAULT_REGION } from './check-region';
import { isObject } from './describe';
import type { ParsedToken } from './parse-token';
import type { TokenSummary } from './types';

const SID_SHAPE = /^[A-Z]{2}[0-9a-fA-F]{32}$/;
const time = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value * 1000 : undefined);
const sid = (value: unknown) => (typeof value === 'string' && SID_SHAPE.test(value) ? value : undefined);

/** What the token says, in a few typed fields; a field of the wrong type is left out. Pure. */
export function summarizeToken({ header, claims }: ParsedToken): TokenSummary {
  const grants = isObject(claims.grants) ? claims.grants : {};
  const summary: TokenSummary = {
    identity: typeof grants.identity === 'string' ? grants.identity : undefined,
    accountSid: sid(claims.sub),
    apiKeySid: sid(claims.iss),
    region: typeof header.twr === 'string' && header.twr !== '' ? header.twr : DEFAULT_REGION,
    algorithm: typeof header.alg === 'string' ? header.alg : undefined,
    issuedAt: time(claims.iat),
    notBefore: time(claims.nbf),
    expiresAt: time(claims.exp),
    grants: Object.keys(grants).filter((key) => key !== 'identity'),
  };
  // Unset fields are left out rather than present as undefined (JSON output, toEqual).
  for (const key of Object.keys(summary) as (keyof TokenSummary)[]) if (summary[key] === undefined) delete summary[key];
  return summary;
}
