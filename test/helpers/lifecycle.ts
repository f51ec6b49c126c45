import { TokenError } from 'twilio-token-lifecycle';
import { mintTestToken, type MintTestTokenOptions } from 'twilio-token-lifecycle/testing';
import type { Now } from '../../src/lifecycle/clock';
import { plan } from '../../src/lifecycle/plan';
import { reduce } from '../../src/lifecycle/reduce';
import { initialState, type LifecycleConfig, type LifecycleEvent, type LifecycleState } from '../../src/lifecycle/state';
import { DEFAULT_RETRY } from '../../src/options';

/** Wall and monotonic clocks in step, at wall time `T0 + ms`. */
export const T0 = Date.UTC(2026, 0, 1, 9);
export const at = (ms: number, monoShift = 0): Now => ({ wall: T0 + ms, mono: 10_000 + ms + monoShift });

export const CONFIG: LifecycleConfig = {
  refreshBeforeMs: undefined,
  retry: DEFAULT_RETRY,
  timeoutMs: 10_000,
  peerWaitMs: 150,
  isShared: false,
};

export const mint = (options: MintTestTokenOptions = {}) => mintTestToken({ issuedAt: T0, ttlSeconds: 3600, ...options });

/** A fresh state bound to `identity` (`null`: to whoever the first token is for). */
export const start = (overrides: Partial<LifecycleConfig> = {}, identity: string | null = 'alice'): LifecycleState =>
  initialState({ ...CONFIG, ...overrides }, identity ?? undefined);

/** Applies events in order. */
export const run = (state: LifecycleState, ...events: LifecycleEvent[]): LifecycleState => events.reduce(reduce, state);

/** An active manager that sent its first request at `now` and got `jwt` back at once. */
export function holding(jwt = mint(), now = at(0), state = start()): LifecycleState {
  const sent = run(state, { type: 'activated', now, isOnline: true }, { type: 'request-started', now, reason: 'initial' });
  return run(sent, { type: 'token-received', now, id: sent.request!.id, jwt, random: 0.5 });
}

/** Sends a request as the planner would, and answers it. */
export function fetchWith(state: LifecycleState, now: Now, answer: { jwt: string } | { error: TokenError }, random = 0.5): LifecycleState {
  const sent = reduce(state, { type: 'request-started', now, reason: plan(state, now).request ?? 'demand' });
  const id = sent.request!.id;
  return 'jwt' in answer
    ? reduce(sent, { type: 'token-received', now, id, jwt: answer.jwt, random })
    : reduce(sent, { type: 'request-failed', now, id, error: answer.error, random });
}

export const http = (status: number, retryAfterMs?: number) =>
  new TokenError(status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'http', `status ${status}`, {
    status,
    retryable: status !== 401 && status !== 403,
    retryAfterMs,
  });
