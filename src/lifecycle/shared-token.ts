import { msUntilEarliest, msUntilGate, type Now } from './clock';
import type { HeldToken, SharedToken } from './state';

/**
 * A held token as this tab passes it to the others: its timeline on the (shared) wall clock as it
 * reads now, so a clock set back since the token came does not stretch it for them.
 */
export const sharedToken = ({ token, usableAt, refreshAt, expiresAt }: HeldToken, now: Now): SharedToken => ({
  jwt: token.jwt,
  usableAt: now.wall + msUntilGate(usableAt, now),
  refreshAt: now.wall + msUntilEarliest(refreshAt, now),
  expiresAt: now.wall + msUntilEarliest(expiresAt, now),
});
