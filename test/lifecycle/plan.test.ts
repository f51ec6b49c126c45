import { describe, expect, it } from 'vitest';
import { decide, plan } from '../../src/lifecycle/plan';
import { reduce } from '../../src/lifecycle/reduce';
import type { LifecycleState } from '../../src/lifecycle/state';
import { T0, at, fetchWith, holding, http, mint, run, start } from '../helpers/lifecycle';

const active = (state = start()) => run(state, { type: 'activated', now: at(0), isOnline: true });
const demand = (state: LifecycleState, kind: 'get' | 'refresh' | 'hint', minValidityMs = 0, now = at(0)) =>
  reduce(state, { type: 'demand-added', now, demand: { id: 7, kind, minValidityMs } });

describe('plan', () => {
  it.each<[string, () => LifecycleState, number, ReturnType<typeof plan>]>([
    ['does nothing while idle and unasked', () => start(), 0, {}],
    ['fetches at once when active with no token', () => active(), 0, { request: 'initial' }],
    ['waits for the other tabs first when shared', () => active(start({ isShared: true })), 0, { wakeInMs: 150, nextRequestAt: T0 + 150 }],
    ['fetches once the wait for the other tabs ends', () => active(start({ isShared: true })), 150, { request: 'initial' }],
    ['sleeps until the refresh, at most a minute', () => holding(), 1000, { wakeInMs: 60_000, nextRequestAt: T0 + 3_299_000 }],
    ['refreshes on time', () => holding(), 3_300_000, { request: 'scheduled' }],
    ['as a follower, refreshes halfway through the window', () => reduce(holding(), { type: 'role-changed', now: at(0), role: 'follower' }), 3_300_000, { wakeInMs: 60_000, nextRequestAt: T0 + 3_449_000 }],
    ['says wake when woken into a due refresh', () => reduce(holding(), { type: 'wake', now: at(3_400_000), hasSlept: true }), 3_400_000, { request: 'wake' }],
    ['never sends two requests within a second', () => fetchWith(holding(), at(3_300_000), { error: http(500) }, 0), 3_300_500, { wakeInMs: 500, nextRequestAt: T0 + 3_301_000 }],
    // However a retry's time came to be NaN (it once did, from `retry: { baseDelayMs: undefined }`), the
    // one-a-second gate still holds.
    [
      'never sends two requests within a second, even with a retry due at NaN',
      () => ({ ...fetchWith(holding(), at(3_300_000), { error: http(500) }, 0), retryAt: { wall: Number.NaN, mono: Number.NaN } }),
      3_300_500,
      { wakeInMs: 500, nextRequestAt: T0 + 3_301_000 },
    ],
    ['waits out the server’s Retry-After', () => fetchWith(holding(), at(3_300_000), { error: http(503, 120_000) }), 3_400_000, { wakeInMs: 20_000, nextRequestAt: T0 + 3_420_000 }],
    ['sends nothing in the background after a 401', () => fetchWith(holding(), at(3_300_000), { error: http(401) }), 3_400_000, { wakeInMs: 60_000 }],
    ['sends nothing in the background while offline', () => reduce(holding(), { type: 'network', now: at(0), isOnline: false }), 3_400_000, { wakeInMs: 60_000 }],
    ['gives up on a request past its timeout', () => reduce(holding(), { type: 'request-started', now: at(1000), reason: 'refresh' }), 11_000, { timedOut: 1 }],
  ])('%s', (_, make, ms, expected) => {
    expect(plan(make(), at(ms))).toEqual(expected);
  });

  it.each<[string, () => LifecycleState, ReturnType<typeof plan>['request']]>([
    ['a getToken() the held token cannot serve', () => demand(holding(), 'get', 3_600_000), 'demand'],
    ['a refresh()', () => demand(holding(), 'refresh'), 'refresh'],
    ['an SDK hint inside the refresh window', () => demand(holding(), 'hint', 3_600_000), 'hint'],
    ['a refresh() after a 401', () => demand(fetchWith(holding(), at(0), { error: http(401) }), 'refresh', 0, at(1000)), 'refresh'],
    ['a getToken() while offline', () => demand(reduce(active(), { type: 'network', now: at(0), isOnline: false }), 'get'), 'demand'],
  ])('fetches for %s', (_, make, reason) => {
    expect(plan(make(), at(1000)).request).toBe(reason);
  });
});

describe('decide', () => {
  const waiting = (state: LifecycleState) => state.demands[0]!;

  it('serves a getToken() from the held token when it is valid long enough', () => {
    const state = demand(holding(), 'get', 60_000);
    expect(decide(state, waiting(state), at(1000))).toEqual({ token: state.current!.token });
    expect(decide(state, waiting(state), at(3_550_000))).toBeUndefined();
  });

  it('never serves a token the monotonic clock says is dead, whatever the wall clock says', () => {
    const state = demand(holding(), 'get', 30_000);
    // The wall clock was set back 15 min: by it, 15 min are left.
    expect(decide(state, waiting(state), at(3_600_000 - 900_000, 900_000))).toBeUndefined();
  });

  it('turns a caller down during Retry-After, saying when to come back', () => {
    const state = demand(fetchWith(holding(mint({ ttlSeconds: 60 })), at(50_000), { error: http(429, 120_000) }), 'get', 0, at(61_000));
    expect(decide(state, waiting(state), at(61_000))).toMatchObject({ error: { status: 429, retryAt: T0 + 170_000 } });
  });

  it('turns a getToken() down after a 401, but not a refresh()', () => {
    const halted = fetchWith(holding(mint({ ttlSeconds: 60 })), at(50_000), { error: http(401) });
    const get = demand(halted, 'get', 0, at(61_000));
    expect(decide(get, waiting(get), at(61_000))).toMatchObject({ error: { code: 'unauthorized' } });
    const refresh = demand(halted, 'refresh', 0, at(61_000));
    expect(decide(refresh, waiting(refresh), at(61_000))).toBeUndefined();
  });

  it('rejects a minimum no fresh token can meet', () => {
    const asked = demand(holding(mint({ ttlSeconds: 60 })), 'get', 120_000, at(1000));
    const answered = fetchWith(asked, at(2000), { jwt: mint({ ttlSeconds: 60, issuedAt: T0 + 2000 }) });
    expect(decide(answered, waiting(answered), at(2000))).toMatchObject({ error: { message: expect.stringMatching(/minValidityMs/) } });
  });

  it('answers a refresh() only with a token from a request sent after it', () => {
    const asked = demand(holding(), 'refresh', 0, at(1000));
    expect(decide(asked, waiting(asked), at(1000))).toBeUndefined();
    const answered = fetchWith(asked, at(1000), { jwt: mint({ issuedAt: T0 + 1000 }) });
    expect(decide(answered, waiting(answered), at(1000))).toEqual({ token: answered.current!.token });
  });
});
