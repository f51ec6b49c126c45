import type { SchedulerLike } from 'rxjs';
import type { PageEvent } from '../page-signals';
import { broadcastChannel, type CrossTabChannel, type CrossTabChannelFactory, type CrossTabMessage, type SharedToken } from './channel';
import { leaseElection, webLocksElection, type LeaderElection, type LockManagerLike } from './election';

/** Options of the `crossTab` setting. */
export interface CrossTabOptions {
  /** Scopes the sharing: only tabs with the same key (and endpoint) share tokens, e.g. a user id. */
  key?: string;
  /** Adopt only tokens for this identity while this tab has held none of its own yet. */
  identity?: string;
  /** The bus between tabs. @default BroadcastChannel */
  channel?: CrossTabChannelFactory;
  /** The lock manager that elects the refresher; `null` uses a lease over the channel. @default navigator.locks */
  locks?: LockManagerLike | null;
  /** How long a new tab waits for the others' token before fetching its own. @default 150 */
  peerWaitMs?: number;
}

/** What the coordinator needs of its manager. */
export interface CrossTabHost {
  /** The token to offer a new tab, if one is held. */
  currentToken(): SharedToken | undefined;
  /** Whether this tab is fetching a token right now. */
  isFetching(): boolean;
  /** Another tab says its token is on the way. */
  peerIsFetching(): void;
  /** A token another tab fetched or holds. */
  receive(token: SharedToken): void;
  /** Leadership changed, or a tab came or went: time to re-check the schedule. */
  changed(): void;
  isVisible(): boolean;
}

export interface ResolvedCrossTab {
  name: string;
  identity: string | undefined;
  channel: CrossTabChannelFactory;
  locks: LockManagerLike | null;
  peerWaitMs: number;
}

const NAME_PREFIX = 'twilio-token-lifecycle:v1';

function endpointOf(url: string | URL | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    return new URL(url, base).href;
  } catch {
    return String(url);
  }
}

function defaultLocks(): LockManagerLike | null {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return locks && typeof locks.request === 'function' ? locks : null;
}

/**
 * Reads the `crossTab` option. On by default in a browser (a `document` and `BroadcastChannel`) for a
 * `url` manager; a `fetchToken` manager shares only with an explicit `key`, since nothing else tells
 * which tabs use the same backend.
 */
export function resolveCrossTab(
  option: boolean | string | CrossTabOptions | undefined,
  url: string | URL | undefined,
): ResolvedCrossTab | undefined {
  if (option === false) return undefined;
  const options: CrossTabOptions = typeof option === 'string' ? { key: option } : option === true || option === undefined ? {} : option;
  const isBrowser = typeof document !== 'undefined' && typeof BroadcastChannel !== 'undefined';
  if (option === undefined && !isBrowser) return undefined;
  if (options.channel === undefined && typeof BroadcastChannel === 'undefined') return undefined;
  const endpoint = endpointOf(url);
  if (endpoint === undefined && options.key === undefined) return undefined;
  const channel: CrossTabChannelFactory = options.channel ?? ((name) => broadcastChannel(name) as CrossTabChannel);
  return {
    name: [NAME_PREFIX, endpoint ?? '', options.key ?? ''].join('|'),
    identity: options.identity,
    channel,
    locks: options.locks === undefined ? defaultLocks() : options.locks,
    peerWaitMs: options.peerWaitMs ?? 150,
  };
}

const randomId = () =>
  typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/**
 * One tab's part in sharing a token: says hello, answers hellos with the token it holds, passes on each
 * token it fetches, and competes to be the one refresher. Hidden tabs hand leadership to a visible one;
 * a tab about to freeze gives it up.
 */
export class CrossTab {
  readonly id = randomId();
  #isLeader = false;
  #isFrozen = false;
  readonly #visiblePeers = new Set<string>();
  readonly #peers = new Set<string>();
  readonly #channel: CrossTabChannel;
  readonly #election: LeaderElection;
  readonly #unsubscribe: () => void;

  constructor(
    config: ResolvedCrossTab,
    scheduler: SchedulerLike,
    private readonly host: CrossTabHost,
  ) {
    this.#channel = config.channel(config.name);
    this.#election = config.locks
      ? webLocksElection(config.locks, config.name)
      : leaseElection(this.#channel, scheduler, this.id, () => host.isVisible());
    this.#unsubscribe = this.#channel.subscribe((message) => this.#receive(message));
    this.#join();
    this.#post({ type: 'hello' });
  }

  get isLeader(): boolean {
    return this.#isLeader;
  }

  /** Whether any other tab has spoken since this one opened. */
  get hasPeers(): boolean {
    return this.#peers.size > 0;
  }

  /** Resolves true when no other tab competes, so there is no one to wait for. */
  isAlone(): Promise<boolean | undefined> {
    return this.#election.isAlone?.() ?? Promise.resolve(undefined);
  }

  share(token: SharedToken): void {
    this.#post({ type: 'token', token });
  }

  onPage(event: PageEvent): void {
    if (event === 'freeze') {
      // A frozen tab cannot refresh: let another take over before the page stops running.
      this.#isFrozen = true;
      this.#election.leave();
      return;
    }
    if (event === 'wake' && this.#isFrozen) {
      this.#isFrozen = false;
      this.#join();
    }
    this.#post({ type: 'presence' });
    if (event === 'hidden') this.#yieldIfHidden();
  }

  close(): void {
    this.#post({ type: 'bye' });
    this.#election.leave();
    this.#unsubscribe();
    this.#channel.close();
  }

  #join(): void {
    this.#election.join((isLeader) => {
      this.#isLeader = isLeader;
      this.host.changed();
    });
  }

  /** A hidden refresher hands over to a visible tab, whose timers the browser does not throttle. */
  #yieldIfHidden(): void {
    if (!this.#isLeader || this.host.isVisible() || this.#visiblePeers.size === 0) return;
    this.#election.leave();
    this.#join();
  }

  #post(
    message: { type: 'hello' } | { type: 'presence' } | { type: 'bye' } | { type: 'fetching' } | { type: 'token'; token: SharedToken },
  ): void {
    this.#channel.post({ ns: 'twilio-token-lifecycle', v: 1, from: this.id, isVisible: this.host.isVisible(), ...message } as CrossTabMessage);
  }

  #receive(message: CrossTabMessage): void {
    if (message.from === this.id) return;
    if (message.type === 'bye') {
      this.#peers.delete(message.from);
      this.#visiblePeers.delete(message.from);
      return;
    }
    this.#peers.add(message.from);
    if (message.isVisible) this.#visiblePeers.add(message.from);
    else this.#visiblePeers.delete(message.from);

    if (message.type === 'hello') {
      const token = this.host.currentToken();
      if (token) this.share(token);
      else if (this.host.isFetching()) this.#post({ type: 'fetching' });
    } else if (message.type === 'fetching') {
      this.host.peerIsFetching();
    } else if (message.type === 'token') {
      this.host.receive(message.token);
    } else if (message.type === 'presence' && message.isVisible) {
      this.#yieldIfHidden();
    }
  }
}
