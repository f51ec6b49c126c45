import type { SchedulerLike } from 'rxjs';
import type { PageEvent } from '../page-signals';
import { broadcastChannel, envelope, isCrossTabMessage, type CrossTabChannel, type MessageBody, type SharedToken } from './channel';
import type { CrossTabSetup } from './cross-tab-options';
import { leaseElection, noop, webLocksElection, type LockManagerLike } from './election';

/** What this tab tells the others about itself, read when they ask. */
export interface CrossTabSnapshot {
  /** The token to offer a new tab, if one is held. */
  token: SharedToken | undefined;
  /** Whether this tab is fetching a token right now. */
  isFetching: boolean;
  isVisible: boolean;
  /** Whether this tab's own requests were refused for good (401/403, identity mismatch, misconfigured). */
  cannotRefresh: boolean | undefined;
}

/** What the other tabs tell the manager. Every message is checked before it becomes one of these. */
export type CrossTabEvent =
  | { type: 'token-offered'; token: SharedToken }
  | { type: 'peer-fetching' }
  | { type: 'peers-absent' }
  | { type: 'role-changed'; role: 'refresher' | 'follower' };

/** The manager, as the coordinator sees it: snapshots out, events in. */
export interface CrossTabHost {
  snapshot(): CrossTabSnapshot;
  send(event: CrossTabEvent): void;
  now(): number;
}

/** The endpoint as fetch would resolve it, so `/api/token` and its absolute form share. */
function endpointOf(url: string | URL | undefined): string {
  if (url === undefined) return '';
  try {
    return new URL(url, (globalThis as { location?: { href?: string } }).location?.href).href;
  } catch {
    return String(url);
  }
}

function defaultLocks(): LockManagerLike | null {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return typeof locks?.request === 'function' ? locks : null;
}

function randomId(): string {
  // `randomUUID` exists only in secure contexts; a page served over http gets a random string.
  return globalThis.crypto?.randomUUID?.() ?? Math.random().toString(36).slice(2);
}

/** One tab's part in sharing tokens, as the manager drives it. */
export interface CrossTab {
  /** Passes a token this tab fetched on to the others. */
  share(token: SharedToken): void;
  onPage(event: PageEvent): void;
  /** Leaves the election while the tab cannot refresh (see the snapshot), joins again once it can. */
  onRefreshable(): void;
  close(): void;
}

/**
 * Loaded lazily (see the manager), so apps download it only when a manager becomes active in a browser.
 *
 * One tab's part in sharing a token: says hello, answers hellos with the token it holds, passes on each
 * token it fetches, and competes to be the one refresher. Hidden tabs hand leadership to a visible one;
 * a tab about to freeze gives it up.
 */
export function openCrossTab({ options, url }: CrossTabSetup, scheduler: SchedulerLike, host: CrossTabHost): CrossTab {
  // How often at most a hidden refresher hands its role to a visible tab.
  const YIELD_COOLDOWN_MS = 30_000;
  const id = randomId();
  let isLeader = false;
  let isFrozen = false;
  let isClosed = false;
  let lastYieldAt = -Infinity;
  const peers = new Set<string>();
  const visiblePeers = new Set<string>();
  // Tabs share only with tabs of the same endpoint and key.
  const name = `twilio-token-lifecycle:v1|${endpointOf(url)}|${options.key ?? ''}`;
  const locks = options.locks === undefined ? defaultLocks() : options.locks;
  const channel = options.channel ? options.channel(name) : (broadcastChannel(name) as CrossTabChannel);
  const isVisible = () => host.snapshot().isVisible;
  const election = locks ? webLocksElection(locks, name) : leaseElection(channel, scheduler, id, isVisible);
  const post = (body: MessageBody) => channel.post(envelope(id, isVisible(), body));
  const share = (token: SharedToken) => post({ type: 'token', token });

  // A tab whose own requests are refused (its session ended, say) competes for the role no more, so
  // another tab refreshes at the normal lead.
  const join = () =>
    host.snapshot().cannotRefresh ||
    election.join((isNowLeader) => {
      isLeader = isNowLeader;
      host.send({ type: 'role-changed', role: isNowLeader ? 'refresher' : 'follower' });
      if (isNowLeader) yieldIfHidden();
    });

  /**
   * A hidden refresher hands over to a visible tab, whose timers the browser does not throttle. At most
   * once per {@link YIELD_COOLDOWN_MS}, so hidden tabs never pass the role round forever when the
   * visible tab they heard of has gone.
   */
  function yieldIfHidden(): void {
    if (!isLeader || isVisible() || visiblePeers.size === 0 || host.now() - lastYieldAt < YIELD_COOLDOWN_MS) return;
    lastYieldAt = host.now();
    election.leave();
    join();
  }

  // A channel is shared with whatever else the page runs: anything malformed is dropped, never thrown on.
  const unsubscribe = channel.subscribe((message: unknown) => {
    if (!isCrossTabMessage(message) || message.from === id) return;
    const { from, type } = message;
    if (type === 'bye') {
      peers.delete(from);
      visiblePeers.delete(from);
      return;
    }
    peers.add(from);
    if (message.isVisible) visiblePeers.add(from);
    else visiblePeers.delete(from);

    if (type === 'hello') {
      const { token, isFetching } = host.snapshot();
      if (token) share(token);
      else if (isFetching) post({ type: 'fetching' });
    } else if (type === 'fetching') {
      host.send({ type: 'peer-fetching' });
    } else if (type === 'token') {
      // The manager parses it and checks identity and times: a tab is not trusted more than a server.
      host.send({ type: 'token-offered', token: message.token });
    } else if (type === 'presence' && message.isVisible) {
      yieldIfHidden();
    }
  });

  // A follower until the election says otherwise.
  host.send({ type: 'role-changed', role: 'follower' });
  join();
  post({ type: 'hello' });
  // Tells the manager when no other tab competes, so there is no one to wait for.
  election.isAlone?.().then((isAlone) => {
    if (isAlone && peers.size === 0 && !isClosed) host.send({ type: 'peers-absent' });
  }, noop);

  return {
    share,
    onPage(event) {
      if (event === 'freeze') {
        // A frozen or closing tab cannot refresh: let another take over before the page stops running.
        isFrozen = true;
        post({ type: 'bye' });
        election.leave();
        return;
      }
      if (event === 'wake' && isFrozen) {
        isFrozen = false;
        join();
      }
      post({ type: 'presence' });
      if (event === 'hidden') yieldIfHidden();
    },
    onRefreshable() {
      if (host.snapshot().cannotRefresh) election.leave();
      else if (!isFrozen) join();
    },
    close() {
      isClosed = true;
      post({ type: 'bye' });
      election.leave();
      unsubscribe();
      channel.close();
    },
  };
}
