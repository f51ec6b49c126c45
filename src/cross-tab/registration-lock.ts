import type { Subscription } from 'rxjs';
import type { TokenScheduler } from '../timeout-scheduler';
import { isCrossTabMessage, type CrossTabChannel } from './channel';
import { leaseElection, webLocksElection, type LeaderElection, type LockManagerLike } from './election';

/**
 * The fallback lease for the Voice registration, where Web Locks are missing: renewed every third of it,
 * so a closed or crashed holder's lease lapses at most 1 s after its last renewal.
 */
export const REGISTRATION_LEASE_MS = 1_000;

/**
 * How long a lease claimant waits, still holding, before it counts as the holder: two claimants of a
 * lapsed lease both claim it, and the one with the larger tab id steps down when it hears the other's
 * renewal, which comes within a third of the lease. Takeover after a crash: ≤ 1 s + ⅓ s + ½ s.
 */
export const REGISTRATION_CONFIRM_MS = REGISTRATION_LEASE_MS / 2;

/** Where the registration lock is kept. */
export interface RegistrationLockOptions {
  /** Web Locks, or `null` for the lease over `channel`. */
  locks: LockManagerLike | null;
  channel: CrossTabChannel;
  /** Timers and clocks (the lease is timed on `monotonicNow`). */
  scheduler: TokenScheduler;
  tabId: string;
}

/** The registration lock, which can also say whether another tab holds it (to judge that tab's claims). */
export interface RegistrationLock extends LeaderElection {
  /**
   * Whether the lock itself says `tabId` holds it now: with Web Locks, `tabId`'s holder lock is held;
   * with the lease, `tabId` is the tab whose renewals are heard. A claim over the channel is only a claim.
   */
  isHeldBy(tabId: string): Promise<boolean>;
}

/** The lock a holder takes, besides the registration's, to show which tab it is. */
const holderLockName = (name: string, tabId: string) => `${name}|holder|${tabId}`;

/**
 * The browser-wide lock on one Voice registration: a Web Lock named `name` (the browser grants it to one
 * tab at a time, and frees it when the holder's tab closes or crashes), else the token refresher's
 * BroadcastChannel lease, shortened, whose gain only counts once it has stood unchallenged for
 * {@link REGISTRATION_CONFIRM_MS}. `onChange(true)` means: this tab may register now.
 */
export function registrationLock(name: string, options: RegistrationLockOptions): RegistrationLock {
  if (!options.locks) return confirmedLease(options);
  // Web Locks that refuse every request (a sandboxed iframe) would leave every tab unregistered: such a
  // tab falls back to the lease, as a browser without Web Locks does.
  let listener: ((isHeld: boolean) => void) | undefined;
  let current: RegistrationLock = provenWebLock(options.locks, name, options.tabId, () => {
    current = confirmedLease(options);
    if (listener) current.join(listener);
  });
  return {
    join(onChange) {
      listener = onChange;
      current.join(onChange);
    },
    leave() {
      listener = undefined;
      current.leave();
    },
    isHeldBy: (tabId) => current.isHeldBy(tabId),
  };
}

/**
 * The Web Lock `name`, and while it is held a second one named after this tab, taken before
 * `onChange(true)`: other tabs find it with `locks.query()`, so a tab that says it holds the
 * registration can be checked.
 */
function provenWebLock(locks: LockManagerLike, name: string, tabId: string, onUnavailable: () => void): RegistrationLock {
  const election = webLocksElection(locks, name, onUnavailable);
  let proof: AbortController | undefined;
  let releaseProof: (() => void) | undefined;
  const dropProof = () => {
    proof?.abort();
    proof = undefined;
    releaseProof?.();
    releaseProof = undefined;
  };
  return {
    join(onChange) {
      election.join((isHeld) => {
        dropProof();
        if (!isHeld) return onChange(false);
        const controller = new AbortController();
        proof = controller;
        // Granted at once (no other tab asks for it); refused, this tab holds the registration unproven.
        const hold = () => {
          if (proof === controller) onChange(true);
        };
        locks
          .request(holderLockName(name, tabId), { signal: controller.signal }, () => {
            if (controller.signal.aborted) return undefined;
            return new Promise<void>((resolve) => {
              releaseProof = resolve;
              hold();
            });
          })
          .catch(hold);
      });
    },
    leave() {
      dropProof();
      election.leave();
    },
    async isHeldBy(holder) {
      if (!locks.query) return true; // nothing to check with
      const { held = [] } = await locks.query();
      return held.some((lock) => lock.name === name) && held.some((lock) => lock.name === holderLockName(name, holder));
    },
  };
}

/** The lease over the channel, whose gain only counts once it has stood unchallenged for a while. */
function confirmedLease({ channel, scheduler, tabId }: RegistrationLockOptions): RegistrationLock {
  const lease = leaseElection(channel, scheduler, tabId, () => true, REGISTRATION_LEASE_MS);
  let confirm: Subscription | undefined;
  let isHeld = false;
  // The tab whose renewals were heard last, until it says it let go; and who waits to hear from whom.
  let leaseholder: string | undefined;
  let unwatch: (() => void) | undefined;
  const waiting = new Set<{ tabId: string; answer(isHolder: boolean): void }>();
  return {
    join(onChange) {
      unwatch ??= channel.subscribe((message: unknown) => {
        if (!isCrossTabMessage(message)) return;
        if (message.type === 'lease') {
          leaseholder = message.from;
          for (const wait of waiting) if (wait.tabId === message.from) wait.answer(true);
        } else if ((message.type === 'lease-release' || message.type === 'bye') && message.from === leaseholder) leaseholder = undefined;
      });
      lease.join((isLeader) => {
        confirm?.unsubscribe();
        confirm = undefined;
        if (isLeader) {
          confirm = scheduler.schedule(() => {
            confirm = undefined;
            isHeld = true;
            onChange(true);
          }, REGISTRATION_CONFIRM_MS);
        } else if (isHeld) {
          isHeld = false;
          onChange(false);
        }
      });
    },
    leave() {
      lease.leave(); // says `false` through join's listener if it was held
      confirm?.unsubscribe();
      confirm = undefined;
      unwatch?.();
      unwatch = undefined;
      for (const wait of waiting) wait.answer(false);
    },
    // A tab that just joined has heard no renewal yet: one comes within a third of the lease.
    isHeldBy: (holder) =>
      new Promise<boolean>((resolve) => {
        if (holder === leaseholder) return resolve(true);
        const wait = {
          tabId: holder,
          answer(isHolder: boolean) {
            waiting.delete(wait);
            timer.unsubscribe();
            resolve(isHolder);
          },
        };
        waiting.add(wait);
        const timer = scheduler.schedule(() => wait.answer(false), REGISTRATION_LEASE_MS);
      }),
  };
}
