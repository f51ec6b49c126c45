import { error } from './finding';
import { describeTwilioCode } from './twilio-codes';
import type { Finding } from './types';

/** What was left unchecked for want of context, to name in `twilio-rejected`. */
export interface Unchecked {
  token: boolean;
  signature: boolean;
  account: boolean;
  key: boolean;
  region: boolean;
  products: boolean;
}

const CAUSES_OFFLINE =
  'Causes that cannot be seen offline: the API key was deleted (which revokes every token it signed) or is a Restricted key (not supported for Access Tokens); ' +
  'the key belongs to a sub-account or another account; the account is suspended or closed; test credentials were used (not supported); the key was created in another region.';
// Per family of codes, a cause that only looks right offline.
const HINTS: [readonly number[], string][] = [
  [[20106, 51116, 51007], 'A service SID of the wrong product passes offline: a Conversations service SID in data_sync (both start with IS), or a service that was deleted.'],
  [[20104, 20156, 51119], 'By this clock the token is not expired: Twilio\'s clock and the checking one differ, or the SDK kept the token past its expiry.'],
  [[20105, 20155, 51120], 'By this clock the token is already valid: the minting server\'s clock is ahead of Twilio\'s.'],
];

/**
 * `twilio-rejected` for a code no error finding explains; and any warning that does explain it, raised
 * to an error (Twilio's refusal shows it mattered). Returns the findings to report. Pure.
 */
export function explainTwilioCode(twilioCode: number, findings: Finding[], unchecked: Unchecked): Finding[] {
  const entry = describeTwilioCode(twilioCode);
  const explains = (finding: Finding) => entry?.findings.includes(finding.code) === true;
  const raised = findings.map((finding) => (finding.severity === 'warning' && explains(finding) ? error(finding.code, finding.message, finding.fix) : finding));
  if (raised.some((finding) => finding.severity === 'error' && explains(finding))) {
    // The explanation first: that is what the person came for.
    return [...raised.filter(explains), ...raised.filter((finding) => !explains(finding))];
  }
  const meaning = entry ? `Twilio refused the token with ${twilioCode}: ${entry.meaning}.` : `Twilio answered with ${twilioCode}, a code the doctor does not know as a token error.`;
  const checks = entry ? ' No offline check explains it.' : '';
  const hint = HINTS.find(([codes]) => codes.includes(twilioCode))?.[1];
  const missing = [
    unchecked.token && 'the token itself (pass it)',
    unchecked.signature && 'the signature (pass apiSecret)',
    unchecked.account && 'the account (pass accountSid)',
    unchecked.key && 'the key (pass apiKeySid)',
    unchecked.region && 'the region (pass region)',
    unchecked.products && 'the grants your SDK needs (pass products)',
  ].filter(Boolean);
  const notChecked = missing.length > 0 ? ` Not checked, for want of context: ${missing.join(', ')}.` : '';
  const message = `${meaning}${checks}${hint ? ` ${hint}` : ''} ${CAUSES_OFFLINE}${notChecked}`;
  const rejected: Finding = {
    ...error(
      'twilio-rejected',
      message,
      'In the Twilio Console, check that the API key still exists, is a Standard or Main key, belongs to this account and region, and that the account is active with live credentials; `npx twilio-token-lifecycle doctor` checks the key against Twilio online.',
    ),
    twilioCodes: [twilioCode],
  };
  return [rejected, ...raised];
}
