import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * The default scheduler: `setTimeout` and `Date.now`, read at call time so fake timers drive it.
 * It does what rxjs's `asyncScheduler` does for the manager, without its weight in the bundle.
 */
export const timeoutScheduler: SchedulerLike = {
  now: () => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    let handle: ReturnType<typeof setTimeout> | undefined;
    const action = new Subscription(() => clearTimeout(handle)) as SchedulerAction<T>;
    const run = () => {
      handle = undefined;
      work.call(action, state);
    };
    action.schedule = (nextState?: T, nextDelay = 0) => {
      clearTimeout(handle);
      state = nextState;
      if (!action.closed) handle = setTimeout(run, nextDelay);
      return action;
    };
    handle = setTimeout(run, delay);
    return action;
  },
};
