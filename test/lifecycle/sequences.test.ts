import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from 'twilio-token-lifecycle';
import type { Now } from '../../src/lifecycle/clock';
import { decide, plan } from '../../src/lifecycle/plan';
import { reduce } from '../../src/lifecycle/reduce';
import type { LifecycleEvent, LifecycleState } from '../../src/lifecycle/state';
import { CONFIG, T0, mint, start } from '../helpers/lifecycle';

// A fixed seed keeps CI repeatable; FC_SEED=<n> explores others.
const SEED = Number(process.env.FC_SEED ?? 20261201);

// Random sequences through the pure core, the planner in the driver's seat: no timers, no promises.
// The server's clock is the true time; the client's wall clock may jump, its monotonic one may not.

type Answer = 'good' | 'mallory' | 'expired' | 'far-nbf' | 'garbage' | 401 | 500 | 503;
type Step =
  | { kind: 'advance'; ms: number }
  | { kind: 'jump'; ms: number }
  | { kind: 'sleep'; ms: number }
  | { kind: 'answer'; answer: Answer }
  | { kind: 'offer'; identity: string; lifetimeS: number; claimedS: number }
  | { kind: 'demand'; demandKind: 'get' | 'refresh' | 'hint'; minValidityMs: number }
  | { kind: 'drop' }
  | { kind: 'wake' }
  | { kind: 'network'; isOnline: boolean }
  | { kind: 'active'; isActive: boolean }
  | { kind: 'role'; role: 'refresher' | 'follower' }
  /** From here on the backend answers every request at once with a good token. */
  | { kind: 'heal' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 600_000 }) }), weight: 6 },
  fc.record({ kind: fc.constant('jump' as const), ms: fc.integer({ min: -7_200_000, max: 7_200_000 }) }),
  fc.record({ kind: fc.constant('sleep' as const), ms: fc.integer({ min: 60_000, max: 10_800_000 }) }),
  { arbitrary: fc.record({ kind: fc.constant('answer' as const), answer: fc.constantFrom<Answer>('good', 'good', 'mallory', 'expired', 'far-nbf', 'garbage', 401, 500, 503) }), weight: 5 },
  fc.record({ kind: fc.constant('offer' as const), identity: fc.constantFrom('alice', 'mallory'), lifetimeS: fc.integer({ min: 10, max: 7200 }), claimedS: fc.integer({ min: -100, max: 1e6 }) }),
  { arbitrary: fc.record({ kind: fc.constant('demand' as const), demandKind: fc.constantFrom('get', 'refresh', 'hint'), minValidityMs: fc.integer({ min: 0, max: 4_000_000 }) }), weight: 2 },
  fc.record({ kind: fc.constant('drop' as const) }),
  fc.record({ kind: fc.constant('wake' as const) }),
  fc.record({ kind: fc.constant('network' as const), isOnline: fc.boolean() }),
  fc.record({ kind: fc.constant('active' as const), isActive: fc.boolean() }),
  fc.record({ kind: fc.constant('role' as const), role: fc.constantFrom('refresher', 'follower') }),
);

function simulate(steps: Step[], identity: string | null, isShared: boolean) {
  let trueMs = 0;
  let wallOffset = 0;
  const now = (): Now => ({ wall: T0 + trueMs + wallOffset, mono: 5_000 + trueMs });
  let state: LifecycleState = reduce(start({ isShared, retry: { ...CONFIG.retry, maxDelayMs: 30_000 } }, identity), { type: 'activated', now: now(), isOnline: true });
  let sends: number[] = [];
  let quietUntil = -Infinity;
  let demandId = 0;
  let isHealthy = false;

  const apply = (event: LifecycleEvent) => {
    state = reduce(state, event);
    check();
  };
  const check = () => {
    const at = now();
    const serverNow = T0 + trueMs;
    const { current } = reduce(state, { type: 'tick', now: at });
    if (state.identity !== undefined && current) expect(current.token.identity).toBe(state.identity);
    // A fetched token is held at most 50 ms past its exp; another tab's, as that tab (or its clock
    // offset, once known) says, at most the 1 s the promise allows.
    if (current) expect(serverNow).toBeLessThan(current.token.expiresAt + (current.origin === 'fetched' ? 50 : 1000));
    for (const demand of state.demands) {
      const decision = decide(state, demand, at);
      if (decision && 'token' in decision) {
        expect(decision.token.expiresAt).toBeGreaterThan(serverNow);
        if (demand.kind === 'get') expect(decision.token.expiresAt - serverNow).toBeGreaterThanOrEqual(demand.minValidityMs - 50);
      }
    }
  };
  // Carries out the plan as the runtime would: requests and timeouts; settled demands leave.
  const follow = () => {
    for (let guard = 0; guard < 10; guard++) {
      const at = now();
      for (const demand of state.demands) if (decide(state, demand, at)) apply({ type: 'demand-dropped', now: at, id: demand.id });
      const next = plan(state, at);
      if (next.timedOut !== undefined) {
        apply({ type: 'request-failed', now: at, id: next.timedOut, error: new TokenError('timeout', 't'), random: 0.5 });
      } else if (next.request !== undefined) {
        expect(state.request).toBeUndefined();
        if (sends.length > 0) expect(trueMs - sends.at(-1)!).toBeGreaterThanOrEqual(1000);
        expect(trueMs).toBeGreaterThanOrEqual(quietUntil);
        sends.push(trueMs);
        apply({ type: 'request-started', now: at, reason: next.request });
        if (isHealthy) answer('good');
      } else return next;
    }
    throw new Error('the plan did not settle');
  };
  const answer = (kind: Answer) => {
    const request = state.request;
    if (request === undefined) return;
    const issuedAt = T0 + trueMs;
    const base = { type: 'token-received' as const, now: now(), id: request.id, random: 0.3 };
    if (typeof kind === 'number') {
      const retryAfterMs = kind === 503 ? 60_000 : undefined;
      if (retryAfterMs) quietUntil = trueMs + retryAfterMs;
      const error = new TokenError(kind === 401 ? 'unauthorized' : 'http', 'x', { status: kind, retryable: kind !== 401, retryAfterMs });
      return apply({ type: 'request-failed', now: now(), id: request.id, error, random: 0.7 });
    }
    const jwt =
      kind === 'garbage'
        ? '<html>'
        : mint({
            issuedAt: kind === 'expired' ? issuedAt - 7_200_000 : issuedAt,
            ttlSeconds: 600,
            identity: kind === 'mallory' ? 'mallory' : 'alice',
            ...(kind === 'far-nbf' && { notBefore: issuedAt + 86_400_000, ttlSeconds: 90_000 }),
          });
    apply({ ...base, jwt, serverNow: kind === 'expired' ? issuedAt : undefined });
  };
  const advance = (ms: number) => {
    // Time passes in the timer's steps, as the runtime's one timer would wake it.
    let left = ms;
    while (left > 0) {
      const next = follow();
      const wait = Math.max(1, Math.min(left, Math.ceil(next.wakeInMs ?? left)));
      trueMs += wait;
      left -= wait;
      apply({ type: 'tick', now: now() });
    }
  };

  for (const s of steps) {
    const at = now();
    switch (s.kind) {
      case 'advance': advance(s.ms); break;
      case 'jump': wallOffset += s.ms; apply({ type: 'tick', now: now() }); break;
      case 'sleep': trueMs += s.ms; apply({ type: 'wake', now: now(), hasSlept: true }); break;
      case 'answer': answer(s.answer); break;
      case 'offer': {
        const jwt = mint({ identity: s.identity, issuedAt: T0 + trueMs, ttlSeconds: s.lifetimeS });
        apply({ type: 'token-offered', now: at, token: { jwt, usableAt: 0, refreshAt: 0, expiresAt: at.wall + s.claimedS * 1000 } });
        break;
      }
      case 'demand': apply({ type: 'demand-added', now: at, demand: { id: demandId++, kind: s.demandKind, minValidityMs: s.minValidityMs } }); break;
      case 'drop': if (state.demands[0]) apply({ type: 'demand-dropped', now: at, id: state.demands[0].id }); break;
      case 'wake': apply({ type: 'wake', now: at, hasSlept: false }); break;
      case 'network': apply({ type: 'network', now: at, isOnline: s.isOnline }); break;
      case 'active': apply(s.isActive ? { type: 'activated', now: at, isOnline: true } : { type: 'deactivated', now: at }); break;
      case 'role': apply({ type: 'role-changed', now: at, role: s.role }); break;
      case 'heal': isHealthy = true; break;
    }
    follow();
  }
  return { state, sends };
}

describe('the lifecycle core under random sequences', () => {
  it('holds its invariants after every event', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.constantFrom<string | null>('alice', null), fc.boolean(), (steps, identity, isShared) => {
        simulate(steps, identity, isShared);
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it('recovers: with a healthy backend, an active manager holds a token within a backoff ceiling and a timeout', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const faults = steps.filter((s) => !(s.kind === 'answer' && s.answer === 401) && !(s.kind === 'answer' && s.answer === 'mallory'));
        // Healed: within the longest Retry-After used here (60 s), one backoff ceiling (30 s) and a timeout (10 s).
        const { state } = simulate(
          [...faults, { kind: 'heal' }, { kind: 'active', isActive: true }, { kind: 'network', isOnline: true }, { kind: 'advance', ms: 60_000 + 30_000 + 10_000 + 1000 }],
          'alice',
          false,
        );
        expect(state.halted).toBeUndefined();
        expect(state.current).toBeDefined();
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});
