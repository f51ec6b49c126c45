import type { TokenManagerOptions } from 'twilio-token-lifecycle';

/** One item of `manager.events$` (the package does not export the type by name, so take it from `onEvent`). */
export type TokenEvent = Parameters<NonNullable<TokenManagerOptions['onEvent']>>[0];
type Role = 'refresher' | 'follower';
export type LogKind = 'ok' | 'bad' | 'info';

/** What the event log needs from the page. */
export interface EventLogHost {
  /** The identity this tab signed in as (the manager is bound to it). */
  identity: string;
  /** When the manager was started (epoch ms): role flips in the first second are the election settling. */
  startedAt: number;
  log(kind: LogKind, message: string, at?: number): void;
  /** A token was taken: for `window.demo`'s counters. */
  onToken?(event: Extract<TokenEvent, { type: 'token' }>): void;
  /** A token for someone else came: the shared session cookie now belongs to another user. */
  onIdentityConflict?(other: string | undefined): void;
}

/** A new tab starts as a follower and the election may promote it at once: wait this long before saying so. */
export const ROLE_SETTLE_MS = 1000;

const REASONS: Record<string, string> = {
  initial: 'first token',
  scheduled: 'refresh window reached',
  retry: 'retry after a failure',
  refresh: 'you asked',
  demand: 'getToken() asked',
  hint: 'an SDK asked',
  wake: 'the page woke up',
};

const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
const origins = { fetched: 'from this tab’s request', tab: 'from another tab' } as const;

/**
 * Turns the manager's events into log lines: one per request, token, failure, refusal, expiry, real
 * role change, wake-up and network change. Returns the handler and a `dispose` for its timer.
 */
export function eventLog(host: EventLogHost): { handle(event: TokenEvent): void; dispose(): void } {
  const { identity, log } = host;
  let heldUntil = -Infinity; // when the token this tab holds expires
  let hasExpired = false; // said once per token that dies unreplaced
  let loggedRole: Role | undefined;
  let heldRole: { role: Role; at: number; timer: ReturnType<typeof setTimeout> } | undefined;
  let lastRefusal: { at: number; code: string } | undefined;

  const sayRole = (role: Role, at: number) => {
    if (role === loggedRole) return;
    const first = loggedRole === undefined;
    loggedRole = role;
    const what = role === 'refresher' ? 'the refresher: it fetches for every tab' : 'a follower: it takes the refresher’s tokens';
    log('info', `This tab is ${first ? '' : 'now '}${what}`, at);
  };

  const onRole = (role: Role, at: number) => {
    if (heldRole !== undefined) {
      clearTimeout(heldRole.timer);
      const held = heldRole;
      heldRole = undefined;
      // follower → refresher while the election settles: say only where it ended up.
      const isSettling = held.role === 'follower' && role === 'refresher' && at - host.startedAt < ROLE_SETTLE_MS;
      if (!isSettling) sayRole(held.role, held.at);
    } else if (loggedRole === undefined && role === 'follower' && at - host.startedAt < ROLE_SETTLE_MS) {
      const timer = setTimeout(() => {
        heldRole = undefined;
        sayRole(role, at);
      }, host.startedAt + ROLE_SETTLE_MS - at);
      heldRole = { role, at, timer };
      return;
    }
    sayRole(role, at);
  };

  const handle = (event: TokenEvent) => {
    switch (event.type) {
      case 'request':
        log('info', `Requesting a token: ${REASONS[event.reason] ?? event.reason} (${event.reason}, attempt ${event.attempt})`, event.at);
        break;
      case 'token': {
        heldUntil = event.expiresAt;
        hasExpired = false;
        host.onToken?.(event);
        const wait = event.usableAt - event.at;
        const usable = wait > 0 ? `, usable in ${seconds(wait)}` : '';
        log(
          'ok',
          `New token for ${event.identity ?? '(no identity)'}, valid ${Math.round(event.lifetimeMs / 1000)} s, ${origins[event.origin]}${usable} (${event.fingerprint})`,
          event.at,
        );
        break;
      }
      case 'failure': {
        const retry = event.retryAt === undefined ? 'not retrying until you refresh' : `retrying in ${seconds(event.retryAt - event.at)}`;
        const status = event.status === undefined ? '' : `, HTTP ${event.status}`;
        const head = `Token request failed (${event.code}${status}, attempt ${event.attempt})`;
        // The manager reports a refused token as a failure too: the refusal line has already said why.
        const isRefusal = lastRefusal !== undefined && lastRefusal.at === event.at && lastRefusal.code === event.code;
        lastRefusal = undefined;
        if (isRefusal && event.code === 'identity-mismatch') break; // retrying cannot help; the refusal said what to do
        if (isRefusal) {
          log('bad', `${head}; ${retry}`, event.at);
          break;
        }
        const server = event.serverError?.message;
        const detail = server === undefined ? event.message : `the server says “${server}”${event.serverError?.code ? ` (${event.serverError.code})` : ''}`;
        log('bad', `${head}: ${detail}; ${retry}`, event.at);
        break;
      }
      case 'refused': {
        lastRefusal = { at: event.at, code: event.code };
        if (event.code === 'identity-mismatch') {
          const other = event.identity;
          const who = other === undefined ? 'someone else' : other;
          if (event.origin === 'fetched') {
            const keeps = heldUntil > event.at ? `this tab keeps ${identity}’s token` : `this tab has no token for ${identity}`;
            log('bad', `Another tab signed in as ${who}: ${keeps}; sign in again`, event.at);
            host.onIdentityConflict?.(other);
          } else {
            log('bad', `Ignored a token for ${who} from another tab: this tab is ${identity}’s`, event.at);
          }
          break;
        }
        log('bad', `Refused a token ${origins[event.origin]} (${event.code}): ${event.message}`, event.at);
        break;
      }
      case 'expired':
        if (hasExpired) break;
        hasExpired = true;
        heldUntil = -Infinity;
        log('bad', 'The token expired before a new one came', event.at);
        break;
      case 'role':
        onRole(event.role, event.at);
        break;
      case 'wake':
        log('info', 'The page woke up (or a timer fired late): checking the token against the clock', event.at);
        break;
      case 'network':
        log(event.online ? 'info' : 'bad', event.online ? 'Back online' : 'Offline: requests paused', event.at);
        break;
      case 'stopped':
        break; // the page says why it stopped (sign-out, sign in again)
    }
  };

  return {
    handle,
    dispose: () => {
      if (heldRole !== undefined) clearTimeout(heldRole.timer);
      heldRole = undefined;
    },
  };
}
