import type { SchedulerLike } from 'rxjs';
import type { PageEvent } from '../page-signals';
import { broadcastChannel, envelope, isCrossTabMessage, type CrossTabChannel, type CrossTabMessage, type MessageBody, type SharedToken } from './channel';
import type { CrossTabSetup } from './cross-tab-options';
import { leaseElection, webLocksElection, type LeaderElection, type LockManagerLike } from './election';

/** What this tab tells the others about itself, read when they ask. */
export interface CrossTabSnapshot {
  /** The token to offer a new tab, if one is held. */
  token: SharedToken | undefined;
  /** Whether this tab is fetching a token right now. */
  isFetching: boolean;
  isVisible: boolean;
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
const noop = () => undefined;

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
  #isClosed = false;
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
      : leaseElection(this.#channel, scheduler, this.id, () => host.snapshot().isVisible);
    // A channel is shared with whatever else the page runs: anything malformed is dropped, never thrown on.
    this.#unsubscribe = this.#channel.subscribe((message: unknown) => {
      if (isCrossTabMessage(message)) this.#receive(message);
    });
    // A follower until the election says otherwise.
    host.send({ type: 'role-changed', role: 'follower' });
    this.#join();
    this.#post({ type: 'hello' });
    this.#checkAlone();
  }

  get isLeader(): boolean {
    return this.#isLeader;
  }

  /** Whether any other tab has spoken since this one opened. */
  get hasPeers(): boolean {
    return this.#peers.size > 0;
  }

  /** Tells the manager when no other tab competes, so there is no one to wait for. */
  #checkAlone(): void {
    this.#election.isAlone?.().then((isAlone) => {
      if (isAlone && this.#peers.size === 0 && !this.#isClosed) this.host.send({ type: 'peers-absent' });
    }, noop);
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
    this.#isClosed = true;
    this.#post({ type: 'bye' });
    this.#election.leave();
    this.#unsubscribe();
    this.#channel.close();
  }

  #join(): void {
    this.#election.join((isLeader) => {
      this.#isLeader = isLeader;
      this.host.send({ type: 'role-changed', role: isLeader ? 'refresher' : 'follower' });
      if (isLeader) this.#yieldIfHidden();
    });
  }

  /**
   * A hidden refresher hands over to a visible tab, whose timers the browser does not throttle. At most
   * once per {@link YIELD_COOLDOWN_MS}, so hidden tabs never pass the role round forever when the
   * visible tab they heard of has gone.
   */
  #yieldIfHidden(): void {
    if (!this.#isLeader || this.host.snapshot().isVisible || this.#visiblePeers.size === 0) return;
    if (this.host.now() - this.#lastYieldAt < YIELD_COOLDOWN_MS) return;
    this.#lastYieldAt = this.host.now();
    this.#election.leave();
    this.#join();
  }

  #post(message: MessageBody): void {
    this.#channel.post(envelope(this.id, this.host.snapshot().isVisible, message));
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
      const { token, isFetching } = this.host.snapshot();
      if (token) this.share(token);
      else if (isFetching) this.#post({ type: 'fetching' });
    } else if (message.type === 'fetching') {
      this.host.send({ type: 'peer-fetching' });
    } else if (message.type === 'token') {
      // The manager parses it and checks identity and times: a tab is not trusted more than a server.
      this.host.send({ type: 'token-offered', token: message.token });
    } else if (message.type === 'presence' && message.isVisible) {
      this.#yieldIfHidden();
    }
  }
}
