import { describeId, isSid } from './describe';
import { error } from './finding';
import type { Finding } from './types';

/**
 * `iss` an API key SID and `sub` an Account SID, and each the one expected when the context names it.
 * A mismatch is reported only for a well-formed SID (a malformed one has its own finding). Pure.
 */
export function checkIssuer(claims: Record<string, unknown>, accountSid?: string, apiKeySid?: string): Finding[] {
  const findings: Finding[] = [];
  const { iss, sub } = claims;
  if (!isSid('SK', iss)) {
    const isAccount = isSid('AC', iss);
    findings.push(
      error(
        'issuer-not-api-key',
        isAccount
          ? `The issuer "iss" is an Account SID (${iss}): the token was minted with the Account SID and Auth Token, which Twilio does not accept for Access Tokens.`
          : `The issuer "iss" is ${describeId(iss)}, not an API key SID (SK and 32 hex digits).`,
        'Create an API key (Standard or Main, not Restricted) in the Twilio Console and mint with its SID (SK…) and its secret.',
      ),
    );
  } else if (apiKeySid !== undefined && iss !== apiKeySid) {
    findings.push(
      error(
        'key-mismatch',
        `The token was signed by API key ${iss}, not by ${apiKeySid}, the key you expected.`,
        'Mint with the expected key\'s SID and secret together; a key SID with another key\'s secret, or a key of another account, is refused.',
      ),
    );
  }
  if (!isSid('AC', sub)) {
    findings.push(error('subject-not-account', `The subject "sub" is ${describeId(sub)}, not an Account SID (AC and 32 hex digits).`, 'Mint with your Account SID (AC…, from the Console\'s dashboard) as the account, and the API key SID as the key: check the argument order.'));
  } else if (accountSid !== undefined && sub !== accountSid) {
    findings.push(
      error(
        'account-mismatch',
        `The token is for account ${sub}, not ${accountSid}: tokens are bound to one account and cannot be used across accounts or sub-accounts.`,
        'Mint with the Account SID the API key belongs to, and use both for the account your clients connect to.',
      ),
    );
  }
  return findings;
}
