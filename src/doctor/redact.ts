import type { Finding } from './types';

/**
 * The last guard against a leak: any finding text holding one of `secrets` (the API secret, the token's
 * signature) has it replaced. The rules never quote them; this holds even for a token built to make them.
 */
export function redact(findings: Finding[], secrets: (string | undefined)[]): Finding[] {
  const hidden = secrets.filter((secret): secret is string => secret !== undefined && secret.trim().length >= 8).map((secret) => secret.trim());
  const clean = (text: string) => hidden.reduce((out, secret) => out.split(secret).join('[hidden]'), text);
  return findings.map((finding) => {
    const message = clean(finding.message);
    const fix = clean(finding.fix);
    return message === finding.message && fix === finding.fix ? finding : { ...finding, message, fix };
  });
}
