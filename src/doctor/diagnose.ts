import { checkGrants } from './check-grants';
import { checkHeader } from './check-header';
import { checkIdentity } from './check-identity';
import { checkIssuer } from './check-issuer';
import { checkLifetime } from './check-lifetime';
import { checkRegion } from './check-region';
import { checkSecret } from './check-secret';
import { checkSignature } from './check-signature';
import { isObject } from './describe';
import { error, warning } from './finding';
import { explainTwilioCode } from './explain-twilio-code';
import { parseToken } from './parse-token';
import { readContext, type CheckContext } from './read-context';
import { redact } from './redact';
import { summarizeToken } from './summarize-token';
import type { DiagnoseContext, Diagnosis, Finding, TokenSummary } from './types';

// The grants of the client SDKs: each needs an identity.
const SDK_GRANTS = ['chat', 'data_sync', 'voice', 'video', 'task_router'];

async function findAll(token: unknown, context: CheckContext): Promise<{ findings: Finding[]; summary?: TokenSummary }> {
  const parsed = parseToken(token);
  const findings = redact(await findIn(parsed, context), [context.apiSecret, parsed.token?.signature]);
  return parsed.token ? { findings, summary: summarizeToken(parsed.token) } : { findings };
}

/** Every rule, in the order a person reads them: the shape, who signed it, when, for whom, for what. */
async function findIn(parsed: ReturnType<typeof parseToken>, context: CheckContext): Promise<Finding[]> {
  const { apiSecret, accountSid, apiKeySid, region, products = [], now } = context;
  const findings = [...parsed.findings];
  if (apiSecret !== undefined) findings.push(...checkSecret(apiSecret));
  const jwt = parsed.token;
  if (jwt === undefined) return findings;
  const { header, claims } = jwt;
  findings.push(...checkHeader(header));
  findings.push(...checkIssuer(claims, accountSid, apiKeySid));
  if (apiSecret !== undefined) findings.push(...(await checkSignature(header.alg, jwt.signingInput, jwt.signature, apiSecret)));
  if (region !== undefined) findings.push(...checkRegion(header.twr, region));
  findings.push(...checkLifetime(claims, now));
  const { grants } = claims;
  if (!isObject(grants)) {
    findings.push(
      grants === undefined && products.length === 0
        ? warning('missing-grant', 'The token has no grants at all, so no SDK can use it.', 'Add the grant of each SDK the token is for, and the identity.')
        : error('bad-claims', `"grants" is ${grants === undefined ? 'missing' : 'not an object'}: the identity and each SDK's grant live there.`, 'Mint with Twilio\'s helper library or `twilio-token-lifecycle/server`.'),
    );
    return findings;
  }
  const hasSdkGrant = SDK_GRANTS.some((key) => grants[key] !== undefined);
  findings.push(...checkIdentity(grants.identity, products.length > 0 || hasSdkGrant, grants.voice !== undefined));
  findings.push(...checkGrants(grants, products));
  if (!hasSdkGrant && products.length === 0) findings.push(warning('missing-grant', 'The token grants no SDK (no chat, data_sync, voice, video or task_router grant).', 'Add the grant of each SDK the token is for.'));
  return findings;
}

/** See `diagnoseAccessToken` in the entry (src/doctor.ts). */
export async function diagnose(token: unknown, context?: DiagnoseContext): Promise<Diagnosis> {
  const read = readContext(context);
  let findings: Finding[];
  let summary: TokenSummary | undefined;
  try {
    ({ findings, summary } = await findAll(token, read));
  } catch {
    // Every rule is written not to throw; this is the last guard for an input no one foresaw.
    findings = [error('not-a-token', 'The doctor could not read this token at all.', 'Pass the Access Token string your server minted.')];
  }
  if (read.twilioCode !== undefined) {
    findings = explainTwilioCode(read.twilioCode, findings, {
      token: token === undefined,
      signature: read.apiSecret === undefined,
      account: read.accountSid === undefined,
      key: read.apiKeySid === undefined,
      region: read.region === undefined,
      products: read.products === undefined,
    });
  }
  const ok = !findings.some((finding) => finding.severity === 'error');
  return summary ? { ok, findings, summary } : { ok, findings };
}
