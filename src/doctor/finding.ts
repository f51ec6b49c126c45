import { twilioCodesLeadingTo } from './twilio-codes';
import type { Finding, FindingCode } from './types';

/** An error finding: it lists the Twilio codes it leads to, read off the code table. */
export const error = (code: FindingCode, message: string, fix: string): Finding => ({
  code,
  severity: 'error',
  message,
  fix,
  twilioCodes: twilioCodesLeadingTo(code),
});

/** A warning: worth knowing, not a reason for Twilio to refuse the token, so it leads to no code. */
export const warning = (code: FindingCode, message: string, fix: string): Finding => ({
  code,
  severity: 'warning',
  message,
  fix,
  twilioCodes: [],
});
