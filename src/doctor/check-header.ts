import { describe as describeValue } from './describe';

const describe = (value: unknown) => (value === undefined ? 'missing' : describeValue(value));
import { error, warning } from './finding';
import type { Finding } from './types';

const REMINT = 'Mint the token with Twilio\'s helper library (`AccessToken#toJwt()`) or `twilio-token-lifecycle/server`, which write this header.';

/** `typ` JWT, `alg` HS256 (HS384/HS512: a warning), `cty` twilio-fpa;v=1, `twr` a string if present. Pure. */
export function checkHeader(header: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  const { alg, typ, cty, twr } = header;
  if (alg === 'HS384' || alg === 'HS512') {
    findings.push(warning('bad-header', `The token is signed with ${alg}: Twilio's helper allows it, but Twilio documents only HS256.`, 'If Twilio refuses it (20101, 20102), sign with HS256, the helper\'s default.'));
  } else if (alg !== 'HS256') {
    findings.push(error('bad-header', `The header's "alg" is ${describe(alg)}: Twilio Access Tokens are signed with HS256 (HMAC-SHA256 with the API key secret).`, REMINT));
  }
  if (typ !== 'JWT') findings.push(error('bad-header', `The header's "typ" is ${describe(typ)}, not "JWT".`, REMINT));
  if (cty !== 'twilio-fpa;v=1') {
    findings.push(error('bad-header', `The header's "cty" is ${describe(cty)}, not "twilio-fpa;v=1": without it this is a plain JWT, not a Twilio Access Token.`, REMINT));
  }
  if (twr !== undefined && typeof twr !== 'string') {
    findings.push(error('bad-header', `The header's region "twr" is ${describe(twr)}, not a region name such as "ie1".`, 'Pass the region as a string (the helper\'s `region` option), or leave it out for us1.'));
  }
  return findings;
}
