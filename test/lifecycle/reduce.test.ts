import { describe, expect, it } from 'vitest';
import { TokenError } from 'twilio-token-lifecycle';
import { plan } from '../../src/lifecycle/plan';
import { reduce } from '../../src/lifecycle/reduce';
import { CONFIG, T0, at, fetchWith, holding, http, mint, run, start } from '../helpers/lifecycle';

describe('reduce: identity', () => {
  it('binds to the first token’s identity when none was given', () => {
    expect(holding(mint({ identity: 'bob' }), at(0), start({}, null)).identity).toBe('bob');
  });

  it('refuses a fetched token for another identity, keeps the current one and halts until refresh()', () => {
    const state = holding();
    const next = fetchWith(state, at(3_300_000), { jwt: mint({ identity: 'mallory', issuedAt: T0 + 3_300_000 }) });
    expect(next.current?.token).toBe(state.current?.token);
    expect(next.failure?.error).toMatchObject({ code: 'identity-mismatch', retryable: false });
    expect(next.halted).toBe('identity');
    expect(next.retryAt).toBeUndefined();
  });

  it('refuses another tab’s token for another identity, showing the error but not halting', () => {
    const state = holding();
    const jwt = mint({ identity: 'mallory', issuedAt: T0 + 60_000 });
    const next = reduce(state, { type: 'token-offered', now: at(60_000), token: { jwt, usableAt: 0, refreshAt: T0 + 1e6, expiresAt: T0 + 3_660_000 } });
    expect(next.current).toBe(state.current);
    expect(next.failure?.error.code).toBe('identity-mismatch');
    expect(next.halted).toBeUndefined();
  });

  it('ignores every offer while it knows no identity, so its first token is its own', () => {
    const state = run(start({ isShared: true }, null), { type: 'activated', now: at(0), isOnline: true });
    expect(state.peerWaitUntil).toBeUndefined();
    const offer = { jwt: mint(), usableAt: 0, refreshAt: T0 + 1e6, expiresAt: T0 + 3_600_000 };
    expect(reduce(state, { type: 'token-offered', now: at(0), token: offer })).toBe(state);
  });

  it.each([
    ['garbage', 'not.a.token', T0 + 3_600_000],
    ['an older token', mint({ ttlSeconds: 60 }), T0 + 60_000],
  ])('ignores %s from another tab', (_, jwt, expiresAt) => {
    const state = holding();
    expect(reduce(state, { type: 'token-offered', now: at(1000), token: { jwt, usableAt: 0, refreshAt: 0, expiresAt } })).toBe(state);
  });
});

describe('reduce: failures', () => {
  it.each([
    [401, 'auth'],
    [403, 'auth'],
  ] as const)('halts background retries after %i', (status, halted) => {
    expect(fetchWith(holding(), at(1000), { error: http(status) })).toMatchObject({ halted, retryAt: undefined });
  });

  it('cannot refresh for the other tabs after a 401 until a token of its own comes, whatever tabs offer', () => {
    const afterAuth = fetchWith(holding(), at(1000), { error: http(401) });
    expect(afterAuth.cannotRefresh).toBe(true);
    const offered = reduce(afterAuth, {
      type: 'token-offered',
      now: at(2000),
      token: { jwt: mint({ issuedAt: T0 + 2000 }), usableAt: 0, refreshAt: T0 + 3_000_000, expiresAt: T0 + 3_601_000 },
    });
    expect(offered.current?.origin).toBe('tab');
    expect(offered).toMatchObject({ halted: undefined, cannotRefresh: true });
    expect(fetchWith(offered, at(3000), { error: http(503) }).cannotRefresh).toBe(true);
    expect(fetchWith(offered, at(3000), { jwt: mint({ issuedAt: T0 + 3000 }) }).cannotRefresh).toBeUndefined();
    // Retries used up is the backend's trouble, not this tab's: it keeps competing.
    const exhausted = fetchWith(start({ retry: { ...CONFIG.retry, limit: 0 } }), at(0), { error: http(500) });
    expect(exhausted).toMatchObject({ halted: 'exhausted', cannotRefresh: undefined });
  });

  it('resumes backoff when a refresh() after a 401 meets a 503', () => {
    const afterAuth = fetchWith(holding(), at(1000), { error: http(401) });
    const after503 = fetchWith(afterAuth, at(5000), { error: http(503) });
    expect(after503.halted).toBeUndefined();
    expect(after503.retryAt?.mono).toBeGreaterThan(at(5000).mono);
  });

  it('keeps the server’s Retry-After even when retries are exhausted', () => {
    const state = { ...holding(), config: { ...holding().config, retry: { limit: 0, baseDelayMs: 1000, maxDelayMs: 1000 } } };
    const next = fetchWith(state, at(1000), { error: http(503, 60_000) });
    expect(next).toMatchObject({ halted: 'exhausted', quietUntil: at(61_000) });
  });

  it('does not let another user’s tab replace a failure of its own', () => {
    const unauthorized = fetchWith(holding(), at(1000), { error: http(401) });
    const jwt = mint({ identity: 'bob', issuedAt: T0 + 2000 });
    const next = reduce(unauthorized, { type: 'token-offered', now: at(2000), token: { jwt, usableAt: 0, refreshAt: 0, expiresAt: T0 + 3_602_000 } });
    expect(next.failure).toBe(unauthorized.failure);
  });

  it('keeps no request quiet window but the server’s Retry-After', () => {
    const state = fetchWith(holding(), at(1000), { error: http(429, 120_000) });
    expect(state.quietUntil?.mono).toBe(at(121_000).mono);
    expect(state.failure?.error.retryAt).toBe(at(121_000).wall);
  });

  it('halts for good on a misconfiguration, and not on a transport’s own abort', () => {
    const misconfigured = new TokenError('misconfigured', 'bad url', { retryable: false });
    expect(fetchWith(holding(), at(1000), { error: misconfigured }).halted).toBe('config');
    expect(fetchWith(holding(), at(1000), { error: new TokenError('network', 'aborted by the transport') }).halted).toBeUndefined();
  });

  it('gives up after retry.limit failures', () => {
    let state = start({ retry: { limit: 1, baseDelayMs: 1000, maxDelayMs: 1000 } });
    state = run(state, { type: 'activated', now: at(0), isOnline: true });
    state = fetchWith(state, at(0), { error: http(500) });
    expect(state.halted).toBeUndefined();
    state = fetchWith(state, at(2000), { error: http(500) });
    expect(state.halted).toBe('exhausted');
  });

  it('ignores an answer to a request it has given up on', () => {
    const sent = reduce(holding(), { type: 'request-started', now: at(1000), reason: 'refresh' });
    const timedOut = reduce(sent, { type: 'request-failed', now: at(11_000), id: sent.request!.id, error: new TokenError('timeout', 't'), random: 0.5 });
    expect(reduce(timedOut, { type: 'token-received', now: at(12_000), id: sent.request!.id, jwt: mint(), random: 0.5 })).toBe(timedOut);
  });
});

describe('reduce: time', () => {
  it('drops the token when either clock says it expired', () => {
    const state = holding();
    // Wall clock set back 15 min: the monotonic clock still sees the hour pass.
    expect(reduce(state, { type: 'tick', now: at(3_600_000 - 900_000, 900_000) }).current).toBeUndefined();
    // Monotonic clock stood still while the machine slept: the wall clock sees it.
    expect(reduce(state, { type: 'tick', now: at(3_600_000, -3_600_000) }).current).toBeUndefined();
    // Held 1 s short of `exp`: the whole-second `iat` may lag the real mint by up to a second.
    expect(reduce(state, { type: 'tick', now: at(3_598_999) }).current).toBeDefined();
    expect(reduce(state, { type: 'tick', now: at(3_599_000) }).current).toBeUndefined();
  });

  it('re-anchors the held times on both clocks after a sleep the monotonic clock did not count', () => {
    const state = holding();
    // Asleep 40 min from 10 min in, performance.now() standing still: the wall clock alone knows.
    const woken = reduce(state, { type: 'wake', now: at(50 * 60_000, -40 * 60_000), hasSlept: true });
    expect(woken.current?.token).toBe(state.current?.token);
    // Then the wall clock is set back 35 min: the token still dies at its real exp (mono 10 min on).
    const setBack = (ms: number) => at(15 * 60_000 + ms, 35 * 60_000 - 40 * 60_000);
    expect(reduce(woken, { type: 'tick', now: setBack(8 * 60_000) }).current).toBeDefined();
    expect(reduce(woken, { type: 'tick', now: setBack(9 * 60_000 + 59_000) }).current).toBeUndefined();
    // And it is refreshed 5 min before, by the clock as it now reads.
    expect(plan(woken, setBack(0)).nextRequestAt).toBe(T0 + 15 * 60_000 + 4 * 60_000 + 59_000);
    // With the clocks in step (a throttled tab's late timer), nothing moves.
    const late = reduce(state, { type: 'wake', now: at(60_000), hasSlept: false }).current;
    expect(late?.expiresAt).toEqual(state.current?.expiresAt);
    expect(late?.refreshAt).toEqual(state.current?.refreshAt);
  });

  it('swaps in a pending token when its nbf comes', () => {
    const state = fetchWith(holding(), at(3_300_000), { jwt: mint({ issuedAt: T0 + 3_300_000, notBefore: T0 + 3_310_000 }) });
    expect(state.pending).toBeDefined();
    const swapped = reduce(state, { type: 'tick', now: at(3_310_000) });
    expect(swapped.current?.token).toBe(state.pending?.token);
    expect(swapped.pending).toBeUndefined();
  });

  it('retries at once when back online', () => {
    const state = fetchWith(holding(), at(1000), { error: http(500) }, 0.99);
    const online = reduce({ ...state, isOffline: true }, { type: 'network', now: at(1500), isOnline: true });
    expect(online.retryAt).toEqual(at(1500));
    expect(online.isWaking).toBe(true);
  });

  it('abandons, without a failure, a request whose deadline passed while the machine slept', () => {
    const sent = reduce(holding(), { type: 'request-started', now: at(3_300_000), reason: 'scheduled' });
    const woke = reduce(sent, { type: 'wake', now: at(3_300_000 + 7_200_000), hasSlept: true });
    expect(woke).toMatchObject({ request: undefined, failures: 0, failure: undefined, isWaking: true });
    expect(plan(woke, at(3_300_000 + 7_200_000)).request).toBe('wake');
    // A throttled tab's late timer is no sleep: the request stays, to time out (and back off) as usual.
    expect(reduce(sent, { type: 'wake', now: at(3_300_000 + 70_000), hasSlept: false }).request).toBe(sent.request);
    // A wake inside the deadline leaves the request alone.
    expect(reduce(sent, { type: 'wake', now: at(3_305_000), hasSlept: true }).request).toBe(sent.request);
  });

  it('is final once stopped', () => {
    const stopped = reduce(holding(), { type: 'stopped', now: at(0) });
    expect(reduce(stopped, { type: 'activated', now: at(1), isOnline: true })).toBe(stopped);
    expect(stopped).toMatchObject({ phase: 'stopped', current: undefined, demands: [] });
  });
});
