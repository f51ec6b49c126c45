import { describe, duration } from './describe';
import { error, warning } from './finding';
import type { Finding } from './types';

/** Twilio's maximum lifetime: exp − iat at most 24 h. */
export const MAX_TTL_SECONDS = 86_400;
/**
 * How far the checking clock may be behind the minting one before `nbf` or `iat` in the future counts.
 * One minute: NTP keeps servers within a second, but phones and laptops drift by tens of seconds, and a
 * token minted a moment ago must not be called "not yet valid" for that. Closer than this is a warning.
 */
export const CLOCK_SKEW_MS = 60_000;
// Seconds since the epoch pass this in the year 5138; milliseconds did in 1973. Above it, a time is in ms.
const MS_THRESHOLD = 100_000_000_000;

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const at = (seconds: number) => new Date(seconds * 1000).toISOString();
const REMINT = 'Mint with Twilio\'s helper library or `twilio-token-lifecycle/server`, which write iat and exp in seconds.';

/** A lifetime in seconds that reads as the intended one in milliseconds: whole seconds, at most 24 h. */
const looksLikeMilliseconds = (lifetime: number) => lifetime % 1000 === 0 && lifetime / 1000 <= MAX_TTL_SECONDS;

/**
 * `iat`/`exp`/`nbf` against each other and against `now` (epoch ms): bad-claims, ttl-in-milliseconds or
 * ttl-too-long, expired, not-yet-valid (an error past {@link CLOCK_SKEW_MS}, a warning within it),
 * issued-in-future (a warning). Pure.
 */
export function checkLifetime(claims: Record<string, unknown>, now: number): Finding[] {
  const { iat, exp, nbf } = claims;
  const findings: Finding[] = [];
  if (!isTime(exp)) {
    return [error('bad-claims', `The expiry "exp" is ${exp === undefined ? 'missing' : describe(exp)}: Twilio needs it, in seconds since the epoch.`, REMINT)];
  }
  if (iat !== undefined && !isTime(iat)) findings.push(error('bad-claims', `The issue time "iat" is ${describe(iat)}, not a time in seconds.`, REMINT));
  if (nbf !== undefined && !isTime(nbf)) findings.push(error('bad-claims', `"nbf" is ${describe(nbf)}, not a time in seconds.`, 'Leave nbf out (the token is valid from iat), or write it in seconds since the epoch.'));
  const issued = isTime(iat) ? iat : undefined;

  if (exp >= MS_THRESHOLD) {
    findings.push(
      error(
        'ttl-in-milliseconds',
        `The expiry "exp" (${exp}) is written in milliseconds: read as seconds, it lies thousands of years ahead, far beyond Twilio's 24 h maximum.`,
        'Write exp in seconds (Math.floor(Date.now() / 1000) + ttlSeconds), or let the helper compute it from `ttl` in seconds.',
      ),
    );
  } else if (issued !== undefined && issued >= MS_THRESHOLD) {
    findings.push(error('bad-claims', `The issue time "iat" (${issued}) is written in milliseconds, while exp is in seconds.`, REMINT));
  } else {
    const lifetime = exp - (issued ?? now / 1000);
    if (lifetime > MAX_TTL_SECONDS && looksLikeMilliseconds(lifetime)) {
      findings.push(
        error(
          'ttl-in-milliseconds',
          `The token lives ${lifetime} s (${duration(lifetime)}), beyond Twilio's 24 h maximum; ${lifetime} looks like ${duration(lifetime / 1000)} written in milliseconds.`,
          `The TTL is in seconds: pass ttl: ${lifetime / 1000}, not ${lifetime}.`,
        ),
      );
    } else if (lifetime > MAX_TTL_SECONDS) {
      findings.push(error('ttl-too-long', `The token lives ${duration(lifetime)} (exp − iat = ${Math.round(lifetime)} s): Twilio's maximum is 24 h (86,400 s).`, 'Mint with a TTL of at most 86,400 s; Twilio recommends the shortest that works, and this library refreshes tokens before they expire.'));
    }
    if (exp * 1000 <= now) {
      const clockHint = issued !== undefined && now - issued * 1000 > (exp - issued) * 1000 + CLOCK_SKEW_MS && exp > issued
        ? ' It was issued ' + duration(now / 1000 - issued) + ' ago: either it was kept too long, or the minting server\'s clock is behind.'
        : '';
      findings.push(error('expired', `The token expired ${duration(now / 1000 - exp)} ago (exp ${at(exp)}, checked at ${new Date(now).toISOString()}).${clockHint}`, 'Fetch a new token before the old one expires (a TokenManager does), and keep the minting server\'s clock in sync (NTP).'));
    }
  }
  if (isTime(nbf) && nbf >= MS_THRESHOLD) {
    findings.push(error('not-yet-valid', `"nbf" (${nbf}) is written in milliseconds: read as seconds, the token is not valid for thousands of years.`, 'Write nbf in seconds since the epoch, or leave it out (the token is valid from iat).'));
  } else if (isTime(nbf) && nbf * 1000 > now) {
    const ahead = duration(nbf - now / 1000);
    if (nbf * 1000 > now + CLOCK_SKEW_MS) {
      findings.push(error('not-yet-valid', `The token is not valid for another ${ahead} ("nbf" is ${at(nbf)}).`, 'Leave nbf out, or set it no later than the time of minting; check that the minting server\'s clock is right (NTP).'));
    } else {
      findings.push(warning('not-yet-valid', `"nbf" is ${ahead} ahead of this clock: within the ${CLOCK_SKEW_MS / 1000} s allowance for clock skew, but a strict checker would refuse it for now.`, 'Leave nbf out, or set it a little in the past.'));
    }
  }
  if (issued !== undefined && issued < MS_THRESHOLD && issued * 1000 > now + CLOCK_SKEW_MS) {
    findings.push(warning('issued-in-future', `The token was issued ${duration(issued - now / 1000)} in the future ("iat" ${at(issued)}): the minting server's clock is ahead of this one.`, 'Keep the minting server\'s clock in sync (NTP); tokens from a fast clock expire early or too late in the eyes of others.'));
  }
  return findings;
}
