import type { SchedulerLike, Subscription } from 'rxjs';
import type { CrossTabChannel } from './channel';
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
  scheduler: SchedulerLike;
  tabId: string;
}

/**
 * The browser-wide lock on one Voice registration: a Web Lock named `name` (the browser grants it to one
 * tab at a time, and frees it when the holder's tab closes or crashes), else the token refresher's
 * BroadcastChannel lease, shortened, whose gain only counts once it has stood unchallenged for
 * {@link REGISTRATION_CONFIRM_MS}. `onChange(true)` means: this tab may register now.
 */
export function registrationLock(name: string, options: RegistrationLockOptions): LeaderElection {
  if (!options.locks) return confirmedLease(options);
  // Web Locks that refuse every request (a sandboxed iframe) would leave every tab unregistered: such a
  // tab falls back to the lease, as a browser without Web Locks does.
  let listener: ((isHeld: boolean) => void) | undefined;
  let current: LeaderElection = webLocksElection(options.locks, name, () => {
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
  };
}

/** The lease over the channel, whose gain only counts once it has stood unchallenged for a while. */
function confirmedLease({ channel, scheduler, tabId }: RegistrationLockOptions): LeaderElection {
  const lease = leaseElection(channel, scheduler, tabId, () => true, REGISTRATION_LEASE_MS);
  let confirm: Subscription | undefined;
  let isHeld = false;
  return {
    join(onChange) {
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
    },
  };
}
