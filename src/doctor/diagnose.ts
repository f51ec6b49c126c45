import { checkGrants, GRANT_OF } from './check-grants';
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
import type { DiagnoseContext, Diagnosis, Finding, Product } from './types';

const PRODUCTS = new Set<string>(Object.keys(GRANT_OF));
const SDK_GRANTS = ['chat', 'data_sync', 'voice', 'video', 'task_router'];

/** The context with every field of the wrong type dropped: a bad context narrows the checks, never throws. */
function readContext(context: unknown) {
  const given: Record<string, unknown> = isObject(context) ? context : {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const products = Array.isArray(given.products) ? [...new Set((given.products as unknown[]).filter((p): p is Product => typeof p === 'string' && PRODUCTS.has(p)))] : undefined;
  return {
    apiSecret: text(given.apiSecret),
    accountSid: text(given.accountSid),
    apiKeySid: text(given.apiKeySid),
    region: text(given.region),
    products,
    now: typeof given.now === 'number' && Number.isFinite(given.now) ? given.now : Date.now(),
    // A number, or a string of digits as some SDKs and `serverError.code` carry it.
    twilioCode: typeof given.twilioCode === 'string' && /^\d{5}$/.test(given.twilioCode) ? Number(given.twilioCode) : typeof given.twilioCode === 'number' && Number.isInteger(given.twilioCode) ? given.twilioCode : undefined,
  };
}

/**
 * The last guard against a leak: any finding text holding one of `secrets` (the API secret, the token's
 * signature) has it replaced. The rules never quote them; this holds even for a token built to make them.
 */
function redact(findings: Finding[], secrets: (string | undefined)[]): Finding[] {
  const hidden = secrets.filter((secret): secret is string => secret !== undefined && secret.trim().length >= 8).map((secret) => secret.trim());
  const clean = (text: string) => hidden.reduce((out, secret) => out.split(secret).join('[hidden]'), text);
  return findings.map((finding) => {
    const message = clean(finding.message);
    const fix = clean(finding.fix);
    return message === finding.message && fix === finding.fix ? finding : { ...finding, message, fix };
  });
}

async function findAll(token: unknown, context: ReturnType<typeof readContext>): Promise<Finding[]> {
  const parsed = parseToken(token);
  return redact(await findIn(parsed, context), [context.apiSecret, parsed.token?.signature]);
}

async function findIn(parsed: ReturnType<typeof parseToken>, context: ReturnType<typeof readContext>): Promise<Finding[]> {
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
  try {
    findings = await findAll(token, read);
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
  return { ok: !findings.some((finding) => finding.severity === 'error'), findings };
}
