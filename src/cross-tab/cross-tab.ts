import type { SchedulerLike } from 'rxjs';
import type { AccessToken } from '../access-token';
import type { PageEvent } from '../page-signals';
import type { TokenTimeline } from '../refresh-policy';
import { broadcastChannel, envelope, type CrossTabChannel, type CrossTabMessage, type MessageBody, type SharedToken } from './channel';
import type { CrossTabSetup } from './cross-tab-options';
import { leaseElection, webLocksElection, type LeaderElection, type LockManagerLike } from './election';

/** What the coordinator needs of its manager. */
export interface CrossTabHost {
  /** The token to offer a new tab, if one is held. */
  currentToken(): SharedToken | undefined;
  /** Whether this tab is fetching a token right now. */
  isFetching(): boolean;
  /** Another tab says its token is on the way. */
  peerIsFetching(): void;
  /** A token another tab fetched or holds, checked: for the expected identity, and newer than ours. */
  receive(token: AccessToken, timeline: TokenTimeline): void;
  /** The identity a shared token must carry, if one is known yet. */
  expectedIdentity(): string | undefined;
  /** When the newest token this tab holds (or waits to use) expires. */
  newestExpiry(): number;
  now(): number;
  /** `parseAccessToken`, passed in so this lazily loaded chunk imports nothing from the core. */
  parse(jwt: string): AccessToken;
  /** Leadership changed, or a tab came or went: time to re-check the schedule. */
  changed(): void;
  isVisible(): boolean;
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

const YIELD_COOLDOWN_MS = 30_000;

const randomId = () =>
  typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/**
 * Loaded lazily (see the manager), so apps download it only when a manager becomes active in a browser.
 *
 * One tab's part in sharing a token: says hello, answers hellos with the token it holds, passes on each
 * token it fetches, and competes to be the one refresher. Hidden tabs hand leadership to a visible one;
 * a tab about to freeze gives it up.
 */
export class CrossTab {
  readonly id = randomId();
  #isLeader = false;
  #isFrozen = false;
  #lastYieldAt = -Infinity;
  readonly #visiblePeers = new Set<string>();
  readonly #peers = new Set<string>();
  readonly #channel: CrossTabChannel;
  readonly #election: LeaderElection;
  readonly #unsubscribe: () => void;

  constructor(
    { options, url }: CrossTabSetup,
    scheduler: SchedulerLike,
    private readonly host: CrossTabHost,
  ) {
    // Tabs share only with tabs of the same endpoint and key.
    const name = [NAME_PREFIX, endpointOf(url) ?? '', options.key ?? ''].join('|');
    const locks = options.locks === undefined ? defaultLocks() : options.locks;
    this.#channel = options.channel ? options.channel(name) : (broadcastChannel(name) as CrossTabChannel);
    this.#election = locks
      ? webLocksElection(locks, name)
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
      // A frozen or closing tab cannot refresh: let another take over before the page stops running.
      this.#isFrozen = true;
      this.#post({ type: 'bye' });
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
      if (isLeader) this.#yieldIfHidden();
    });
  }

  /**
   * A hidden refresher hands over to a visible tab, whose timers the browser does not throttle. At most
   * once per {@link YIELD_COOLDOWN_MS}, so hidden tabs never pass the role round forever when the
   * visible tab they heard of has gone.
   */
  #yieldIfHidden(): void {
    if (!this.#isLeader || this.host.isVisible() || this.#visiblePeers.size === 0) return;
    if (this.host.now() - this.#lastYieldAt < YIELD_COOLDOWN_MS) return;
    this.#lastYieldAt = this.host.now();
    this.#election.leave();
    this.#join();
  }

  #post(message: MessageBody): void {
    this.#channel.post(envelope(this.id, this.host.isVisible(), message));
  }

  /** Passes on a shared token only if it parses, is for the expected identity, and outlives ours. */
  #accept(shared: SharedToken): void {
    let token: AccessToken;
    try {
      token = this.host.parse(shared.jwt);
    } catch {
      return; // not a token: keep ours
    }
    const expected = this.host.expectedIdentity();
    if (expected !== undefined && token.identity !== expected) return;
    const { usableAt, refreshAt, expiresAt } = shared;
    if (![usableAt, refreshAt, expiresAt].every(Number.isFinite)) return;
    if (expiresAt <= this.host.now() || expiresAt <= this.host.newestExpiry()) return;
    this.host.receive(token, { usableAt, refreshAt, expiresAt });
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
      this.#accept(message.token);
    } else if (message.type === 'presence' && message.isVisible) {
      this.#yieldIfHidden();
    }
  }
}
