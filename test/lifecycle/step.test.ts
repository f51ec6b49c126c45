import { describe, expect, it } from 'vitest';
import type { Now } from '../../src/lifecycle/clock';
import type { Effect } from '../../src/lifecycle/effects';
import { reduce } from '../../src/lifecycle/reduce';
import type { LifecycleEvent, LifecycleState } from '../../src/lifecycle/state';
import { step } from '../../src/lifecycle/step';
import { T0, at, fetchWith, holding, http, mint, run, start } from '../helpers/lifecycle';

// Each effect in a word or two, so a table row reads as what the runtime is told to do.
const brief = (effect: Effect): string => {
  switch (effect.type) {
    case 'send':
      return `send #${effect.id} ${effect.reason}`;
    case 'abort':
      return `abort #${effect.id} ${effect.error.code}`;
    case 'settle':
      return `settle ${effect.id} ${'token' in effect.answer ? 'token' : effect.answer.error.code}`;
    case 'share':
      return 'share';
    case 'refreshable':
      return 'refreshable';
    case 'emit':
      return `emit ${effect.event.type}`;
    case 'wake-at':
      return `wake in ${effect.inMs ?? 'never'}`;
  }
};

type Event = LifecycleEvent extends infer E ? (E extends LifecycleEvent ? Omit<E, 'now'> : never) : never;
const effectsOf = (state: LifecycleState, event: Event, now: Now = at(0)) => step(state, { ...event, now } as LifecycleEvent, () => 0.5).effects.map(brief);

const active = (state = start()) => run(state, { type: 'activated', now: at(0), isOnline: true });
const sent = (state = holding(), now = at(3_300_000)) => reduce(state, { type: 'request-started', now, reason: 'scheduled' });
const asked = (state: LifecycleState, kind: 'get' | 'refresh', minValidityMs = 0) =>
  reduce(state, { type: 'demand-added', now: at(0), demand: { id: 9, kind, minValidityMs } });
const offer = (identity: string) => ({ jwt: mint({ identity, issuedAt: T0 + 60_000 }), usableAt: 0, refreshAt: T0 + 3_000_000, expiresAt: T0 + 3_660_000 });

describe('step: every effect comes from the transition that implies it', () => {
  it.each<[string, () => LifecycleState, Event, string[], Now?]>([
    ['activating with no token sends the first request and waits for its deadline', () => start(), { type: 'activated', isOnline: true }, ['send #0 initial', 'emit request', 'wake in 10000']],
    ['a shared manager waits for the other tabs first', () => start({ isShared: true }), { type: 'activated', isOnline: true }, ['wake in 150']],
    ['a token received is announced, shared and held until the next check', () => sent(active(), at(0)), { type: 'token-received', id: 0, jwt: mint(), random: 0.5 }, ['emit token', 'share', 'wake in 60000']],
    ['a token with nbf ahead is announced now, and waited for', () => sent(active(), at(0)), { type: 'token-received', id: 0, jwt: mint({ notBefore: T0 + 10_000 }), random: 0.5 }, ['emit token', 'wake in 10000']],
    ['… and shared once usable', () => fetchWith(active(), at(0), { jwt: mint({ notBefore: T0 + 10_000 }) }), { type: 'tick' }, ['share', 'wake in 60000'], at(10_000)],
    ['a failed request is reported and a retry planned', () => sent(active(), at(0)), { type: 'request-failed', id: 0, error: http(500), random: 0.5 }, ['emit failure', 'wake in 1000']],
    ['a 401 halts: the refresher role may move', () => sent(), { type: 'request-failed', id: 1, error: http(401), random: 0.5 }, ['refreshable', 'emit failure', 'wake in 60000'], at(3_300_000)],
    ['a token for someone else is refused, then failed, and halts', () => sent(), { type: 'token-received', id: 1, jwt: mint({ identity: 'mallory', issuedAt: T0 + 3_300_000 }), random: 0.5 }, ['refreshable', 'emit refused', 'emit failure', 'wake in 60000'], at(3_300_000)],
    ['a token of its own after a 401 makes this tab a refresher again', () => sent(fetchWith(holding(), at(1000), { error: http(401) }), at(2000)), { type: 'token-received', id: 2, jwt: mint({ issuedAt: T0 + 2000 }), random: 0.5 }, ['refreshable', 'emit token', 'share', 'wake in 60000'], at(2000)],
    ['a request past its deadline is aborted as a timeout, and a retry planned', () => sent(), { type: 'tick' }, ['abort #1 timeout', 'emit failure', 'wake in 1000'], at(3_310_000)],
    ['a sleep past the deadline abandons the request and asks again at once', () => sent(), { type: 'wake', hasSlept: true }, ['abort #1 timeout', 'emit wake', 'send #2 wake', 'emit request', 'wake in 10000'], at(3_400_000)],
    ['a caller the held token serves is answered at once', () => holding(), { type: 'demand-added', demand: { id: 9, kind: 'get', minValidityMs: 0 } }, ['settle 9 token', 'wake in 60000']],
    ['a refresh() sends a request of its own', () => holding(), { type: 'demand-added', demand: { id: 9, kind: 'refresh', minValidityMs: 0 } }, ['send #1 refresh', 'emit request', 'wake in 10000'], at(2000)],
    ['the answer settles the refresh() that waited for it', () => sent(asked(holding(), 'refresh'), at(2000)), { type: 'token-received', id: 1, jwt: mint({ issuedAt: T0 + 2000 }), random: 0.5 }, ['emit token', 'share', 'settle 9 token', 'wake in 60000'], at(2000)],
    ['stop aborts the request, turns the callers down and says so', () => sent(asked(holding(), 'refresh')), { type: 'stopped' }, ['abort #1 stopped', 'settle 9 stopped', 'emit stopped']],
    ['going offline is reported', () => holding(), { type: 'network', isOnline: false }, ['emit network', 'wake in 60000']],
    ['a new role is reported', () => holding(), { type: 'role-changed', role: 'follower' }, ['emit role', 'wake in 60000']],
    ['another tab’s token for someone else is refused', () => holding(), { type: 'token-offered', token: offer('mallory') }, ['emit refused', 'wake in 60000'], at(60_000)],
    ['another tab’s good token is announced, not shared back', () => holding(), { type: 'token-offered', token: offer('alice') }, ['emit token', 'wake in 60000'], at(60_000)],
    ['a stop after the token died (asleep) says only that it stopped', () => holding(mint({ ttlSeconds: 60 })), { type: 'stopped' }, ['emit stopped'], at(120_000)],
    ['a stop as a fetched token becomes usable shares nothing', () => fetchWith(active(), at(0), { jwt: mint({ notBefore: T0 + 10_000 }) }), { type: 'stopped' }, ['emit stopped'], at(10_000)],
    ['a token that dies with no replacement is reported expired', () => run(holding(mint({ ttlSeconds: 60 })), { type: 'network', now: at(0), isOnline: false }), { type: 'tick' }, ['emit expired', 'wake in 60000'], at(60_000)],
  ])('%s', (_, make, event, expected, now) => {
    expect(effectsOf(make(), event, now)).toEqual(expected);
  });

  it('changes nothing and asks nothing once stopped', () => {
    const stopped = step(holding(), { type: 'stopped', now: at(0) }, () => 0.5).state;
    expect(step(stopped, { type: 'tick', now: at(1000) }, () => 0.5)).toMatchObject({ state: stopped, effects: [], snapshot: { status: 'stopped' } });
  });

  it('publishes the snapshot of the state it ends in', () => {
    const { snapshot, state } = step(start(), { type: 'activated', now: at(0), isOnline: true }, () => 0.5);
    expect(state.request?.id).toBe(0);
    expect(snapshot).toEqual({ status: 'fetching' });
  });
});
