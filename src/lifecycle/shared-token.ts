import { msUntilEarliest, msUntilGate, type Now } from './clock';
import type { HeldToken, SharedToken } from './state';

/**
 * A held token as this tab passes it to the others: its timeline on the (shared) wall clock as it
 * reads now, so a clock set back since the token came does not stretch it for them.
 */
export const sharedToken = (held: HeldToken, now: Now): SharedToken => ({
  jwt: held.token.jwt,
  usableAt: now.wall + msUntilGate(held.usableAt, now),
  refreshAt: now.wall + msUntilEarliest(held.refreshAt, now),
  expiresAt: now.wall + msUntilEarliest(held.expiresAt, now),
});
