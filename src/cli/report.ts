import type { Diagnosis, Finding } from '../doctor/types';

/** What one doctor run found, ready to print. */
export interface DoctorReport extends Diagnosis {
  /** What was checked, in words (one line each). */
  subject: string[];
  /** What was proved right, in words. */
  passed: string[];
}

/**
 * Removes every occurrence of each of `secrets` from `text` (a second guard: no finding should hold one).
 * A JWT-shaped run of characters keeps its header and payload and loses its signature.
 */
export function scrub(text: string, secrets: Array<string | undefined>): string {
  let result = text;
  for (const secret of secrets) if (secret && secret.length >= 8) result = result.split(secret).join('[redacted]');
  return result.replace(/\b(eyJ[\w-]*\.[\w-]*)\.[\w-]{16,}/g, '$1.[signature]');
}

const counted = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function findingLines(found: Finding): string[] {
  const lines = [`${found.severity === 'error' ? 'ERROR  ' : 'warning'} ${found.code}: ${found.message}`, `        fix: ${found.fix}`];
  if (found.twilioCodes.length > 0) lines.push(`        Twilio codes: ${found.twilioCodes.join(', ')}`);
  return lines;
}

/** The report in words, for a terminal. */
export function formatText(report: DoctorReport): string {
  const errors = report.findings.filter((found) => found.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const lines = [...report.subject, ''];
  for (const passed of report.passed) lines.push(`ok      ${passed}`);
  for (const found of report.findings) lines.push(...findingLines(found));
  if (report.passed.length + report.findings.length > 0) lines.push('');
  lines.push(
    errors > 0
      ? `${counted(errors, 'error')}, ${counted(warnings, 'warning')}: Twilio will refuse these tokens or the SDKs will fail; fix the errors above.`
      : warnings > 0
        ? `No error, ${counted(warnings, 'warning')}.`
        : 'No problem found.',
  );
  return `${lines.join('\n')}\n`;
}

/** The report as JSON: `{ ok, findings }`. */
export const formatJson = (report: DoctorReport): string => `${JSON.stringify({ ok: report.ok, findings: report.findings }, null, 2)}\n`;
