// @vitest-environment node
// The options' one home: every option is checked at creation (valid values pass, invalid ones throw a
// TypeError naming the option), and every default is filled in by one function.
import { asyncScheduler, Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createTokenManager, type TokenManagerOptions } from 'twilio-token-lifecycle';
import { FakeBroadcastHub, FakeLockManager, FakeNetworkSignals, FakePageSignals, mintTestToken, VirtualClock } from 'twilio-token-lifecycle/testing';
import { checkOptions, DEFAULT_IDLE_GRACE_MS, DEFAULT_PEER_WAIT_MS, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, resolveOptions } from '../src/options';
import { timeoutScheduler } from '../src/timeout-scheduler';

const fetchToken = async () => 'not-read-here';
const scheduler = { now: () => 0, schedule: () => new Subscription() };

/**
 * Every option (and option field) with values it takes and values it refuses. `options` builds the
 * options around one value: the option set to it, beside a `fetchToken` (or a `url` where the option
 * belongs to one).
 */
const OPTIONS: Array<{ path: string; valid: unknown[]; invalid: unknown[]; options?: (value: unknown) => object }> = [
  { path: 'url', valid: ['/api/token', 'https://example.com/token', new URL('https://example.com/token')], invalid: ['', 42, {}, true], options: (url) => ({ url }) },
  { path: 'fetchToken', valid: [fetchToken, () => Promise.resolve('jwt')], invalid: ['/api/token', {}, 1], options: (value) => ({ fetchToken: value }) },
  { path: 'request', valid: [{}, { method: 'get', headers: { 'x-a': '1' } }], invalid: ['post', null, 3], options: (request) => ({ url: '/t', request }) },
  { path: 'request.timeout', valid: [false, 1, 5000], invalid: [0, -1, Number.NaN, Infinity, true, '5000'], options: (timeout) => ({ url: '/t', request: { timeout } }) },
  { path: 'identity', valid: ['alice', 'user@example.com'], invalid: ['', 42, null, {}] },
  { path: 'refreshBeforeMs', valid: [0, 60_000], invalid: [-1, Number.NaN, Infinity, '60000', null] },
  { path: 'retry', valid: [{}, { limit: 3 }], invalid: [3, null, 'never'] },
  { path: 'retry.limit', valid: [0, 5, Infinity], invalid: [-1, Number.NaN, '3'], options: (limit) => ({ retry: { limit } }) },
  { path: 'retry.baseDelayMs', valid: [0, 250], invalid: [-5, Number.NaN, Infinity], options: (baseDelayMs) => ({ retry: { baseDelayMs } }) },
  { path: 'retry.maxDelayMs', valid: [0, 120_000], invalid: [-5, Number.NaN, Infinity], options: (maxDelayMs) => ({ retry: { maxDelayMs } }) },
  { path: 'timeoutMs', valid: [1, 30_000], invalid: [0, -1, Number.NaN, Infinity, '1000'] },
  { path: 'scheduler', valid: [scheduler, asyncScheduler, new VirtualClock().scheduler], invalid: [{}, { now: () => 0 }, () => 0, 'async'] },
  { path: 'scheduler.monotonicNow', valid: [() => 0], invalid: [0, 'now'], options: (monotonicNow) => ({ scheduler: { ...scheduler, monotonicNow } }) },
  { path: 'idleGraceMs', valid: [0, 2 ** 40], invalid: [Infinity, -1, Number.NaN] },
  { path: 'random', valid: [Math.random, () => 0.5], invalid: [0.5, {}] },
  { path: 'onEvent', valid: [() => undefined, console.log], invalid: ['log', {}] },
  { path: 'crossTab', valid: [true, false, 'user-1', {}], invalid: ['', 1, null] },
  { path: 'crossTab.key', valid: ['user-1'], invalid: ['', 5], options: (key) => ({ crossTab: { key } }) },
  { path: 'crossTab.identity', valid: ['alice'], invalid: ['', 5], options: (identity) => ({ crossTab: { key: 'k', identity } }) },
  { path: 'crossTab.channel', valid: [new FakeBroadcastHub().factory], invalid: [{}, 'BroadcastChannel'], options: (channel) => ({ crossTab: { key: 'k', channel } }) },
  { path: 'crossTab.locks', valid: [null, new FakeLockManager()], invalid: [{}, false], options: (locks) => ({ crossTab: { key: 'k', locks } }) },
  { path: 'crossTab.peerWaitMs', valid: [0, 500], invalid: [-1, Number.NaN, Infinity], options: (peerWaitMs) => ({ crossTab: { key: 'k', peerWaitMs } }) },
  { path: 'page', valid: [false, new FakePageSignals()], invalid: [true, {}, { isVisible: () => true }] },
  { path: 'network', valid: [false, new FakeNetworkSignals()], invalid: [true, {}, { isOnline: () => true }] },
];

/** The options around one value; `url` and `request` go without `fetchToken`: a manager takes one or the other. */
const build = ({ path, options }: (typeof OPTIONS)[number], value: unknown) => {
  const built: Record<string, unknown> = { fetchToken, ...(options ? options(value) : { [path]: value }) };
  if ('url' in built) delete built.fetchToken;
  return built as unknown as TokenManagerOptions;
};

describe('checkOptions: every option', () => {
  const validCases = OPTIONS.flatMap((row) => row.valid.map((value) => [row.path, value, row] as const));
  const invalidCases = OPTIONS.flatMap((row) => row.invalid.map((value) => [row.path, value, row] as const));

  it.each(validCases)('takes `%s` = %o', (_, value, row) => {
    expect(() => checkOptions(build(row, value))).not.toThrow();
  });

  it.each(invalidCases)('refuses `%s` = %o with a TypeError naming it', (path, value, row) => {
    expect(() => checkOptions(build(row, value))).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(new RegExp(`^createTokenManager: option \`${path.replace('.', '\\.')}\` must be `)) }),
    );
  });

  it('covers all 14 options of TokenManagerOptions', () => {
    const topLevel = new Set(OPTIONS.map(({ path }) => path.split('.')[0]));
    expect([...topLevel].sort()).toEqual(
      ['crossTab', 'fetchToken', 'identity', 'idleGraceMs', 'network', 'onEvent', 'page', 'random', 'refreshBeforeMs', 'request', 'retry', 'scheduler', 'timeoutMs', 'url'].sort(),
    );
  });

  it.each([
    ['a number', { fetchToken, timeoutMs: -3 }, 'got -3'],
    ['a string, quoted', { fetchToken, identity: '' }, 'got ""'],
    ['a function, by its kind only (never its source)', { fetchToken, identity: () => 'secret-source' }, 'got a function'],
    ['an object, by its kind only', { fetchToken, random: { seed: 1 } }, 'got an object'],
    ['an object without a prototype', { fetchToken, onEvent: Object.create(null) }, 'got an object'],
    ['a symbol', { fetchToken, identity: Symbol('who') }, 'got Symbol(who)'],
  ])('shows the value it got: %s', (_, options, shown) => {
    expect(() => checkOptions(options as never)).toThrow(expect.objectContaining({ message: expect.stringMatching(new RegExp(`${shown.replace(/[()]/g, '\\$&')}$`)) }));
    expect(() => checkOptions(options as never)).not.toThrow(/secret-source/);
  });

  it('never quotes a token whole: a JWT where a function belongs is redacted', () => {
    const jwt = mintTestToken({ identity: 'alice' });
    expect(() => checkOptions({ fetchToken: jwt } as never)).toThrow(/option `fetchToken` must be a function, got "\[token\]"$/);
    expect(() => checkOptions({ fetchToken: jwt } as never)).not.toThrow(jwt.split('.')[1]!);
  });

  it.each([undefined, null, 'https://example.com/token', 42])('refuses options that are not an object (%o)', (options) => {
    expect(() => checkOptions(options as never)).toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('option `options` must be an object') }));
  });

  it.each([
    ['neither', {}],
    ['both', { url: '/api/token', fetchToken }],
  ])('wants exactly one of `url` and `fetchToken`: %s', (_, options) => {
    expect(() => checkOptions(options as never)).toThrow(/needs either `url` or `fetchToken`, not both/);
  });

  it('runs when a manager is created, before anything else', () => {
    expect(() => createTokenManager({ fetchToken, page: {} as never })).toThrow(/option `page` must be false or an object with isVisible\(\) and subscribe\(\)/);
    expect(() => createTokenManager({ url: '/api/token', request: { timeout: 0 } })).toThrow(/option `request.timeout` must be false or a finite number ≥ 1, got 0/);
    createTokenManager({ fetchToken, crossTab: { key: 'k', locks: null, channel: new FakeBroadcastHub().factory } }).stop();
  });
});

describe('resolveOptions: the defaults, in one place', () => {
  it('fills in every default for a url manager outside a page', () => {
    const resolved = resolveOptions({ url: 'https://example.com/token' });
    expect(resolved).toMatchObject({
      scheduler: timeoutScheduler,
      onEvent: undefined,
      idleGraceMs: DEFAULT_IDLE_GRACE_MS,
      crossTab: undefined,
      page: undefined,
      network: undefined,
      identity: undefined,
      config: { refreshBeforeMs: undefined, retry: DEFAULT_RETRY, timeoutMs: DEFAULT_TIMEOUT_MS, peerWaitMs: DEFAULT_PEER_WAIT_MS, isShared: false },
    });
    expect([DEFAULT_IDLE_GRACE_MS, DEFAULT_TIMEOUT_MS, DEFAULT_PEER_WAIT_MS, DEFAULT_RETRY]).toEqual([1000, 10_000, 150, { limit: Infinity, baseDelayMs: 1000, maxDelayMs: 60_000 }]);
  });

  it('keeps what the app gives, field by field', () => {
    const page = new FakePageSignals();
    const network = new FakeNetworkSignals();
    const onEvent = () => undefined;
    const channel = new FakeBroadcastHub().factory;
    const resolved = resolveOptions({
      fetchToken,
      scheduler,
      onEvent,
      idleGraceMs: 0,
      page,
      network,
      refreshBeforeMs: 20_000,
      retry: { maxDelayMs: 5000 },
      timeoutMs: 3000,
      crossTab: { key: 'user-1', identity: 'alice', channel, peerWaitMs: 40 },
    });
    expect(resolved).toMatchObject({ scheduler, onEvent, idleGraceMs: 0, page, network, identity: 'alice' });
    expect(resolved.crossTab).toEqual({ options: { key: 'user-1', identity: 'alice', channel, peerWaitMs: 40 }, url: undefined });
    expect(resolved.config).toEqual({ refreshBeforeMs: 20_000, retry: { ...DEFAULT_RETRY, maxDelayMs: 5000 }, timeoutMs: 3000, peerWaitMs: 40, isShared: true });
  });

  // `{ timeoutMs: props.timeoutMs }`, `{ retry: { limit: env.LIMIT && Number(env.LIMIT) } }`: an option
  // or field set to `undefined` is absent, every one of them (a spread over the defaults is not).
  const resolved = (options: TokenManagerOptions) => {
    const { scheduler, onEvent, idleGraceMs, crossTab, page, network, config, identity } = resolveOptions(options);
    // The app's own objects (scheduler, crossTab) are kept as given: their undefined fields are dropped
    // here. The defaults filled in (`config`) are compared strictly, but for `retry`'s dropped ones.
    const defined = (object: object | undefined) => object && Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
    return { scheduler: defined(scheduler), onEvent, idleGraceMs, crossTab: crossTab && { ...crossTab, options: defined(crossTab.options) }, page, network, config: { ...config, retry: defined(config.retry) }, identity };
  };
  it.each(OPTIONS.filter(({ path }) => path !== 'url' && path !== 'fetchToken').map((row) => [row.path, row] as const))('takes `%s` = undefined as absent', (path, row) => {
    const parent = path.split('.')[0]!;
    const [field] = path.split('.').slice(1);
    const withUndefined = build(row, undefined) as unknown as Record<string, Record<string, unknown>>;
    const without: Record<string, unknown> = { ...withUndefined };
    if (field === undefined) delete without[parent];
    else {
      without[parent] = { ...withUndefined[parent] };
      delete (without[parent] as Record<string, unknown>)[field];
    }
    expect(field === undefined ? parent in withUndefined : field in withUndefined[parent]!).toBe(true);
    expect(resolved(withUndefined as unknown as TokenManagerOptions)).toStrictEqual(resolved(without as unknown as TokenManagerOptions));
  });

  it.each([
    ['timeoutMs wins', { timeoutMs: 2000, request: { timeout: 7000 } }, 2000],
    ['request.timeout is the default timeoutMs', { request: { timeout: 7000 } }, 7000],
    ['request.timeout false leaves the default', { request: { timeout: false as const } }, DEFAULT_TIMEOUT_MS],
  ])('the request timeout: %s', (_, options, timeoutMs) => {
    expect(resolveOptions({ url: '/api/token', ...options }).config.timeoutMs).toBe(timeoutMs);
  });

  it.each([
    ['an identity option wins over crossTab.identity', { identity: 'bob', crossTab: { key: 'k', identity: 'alice' } }, 'bob'],
    ['crossTab.identity binds a shared manager', { crossTab: { key: 'k', identity: 'alice' } }, 'alice'],
    ['crossTab.identity says nothing when sharing is off', { crossTab: false }, undefined],
  ])('the identity: %s', (_, options, identity) => {
    expect(resolveOptions({ fetchToken, ...options }).identity).toBe(identity);
  });

  it.each([
    [0.25, 0.25],
    [0, 0],
    [1, 0.5],
    [Number.NaN, 0.5],
    [-0.1, 0.5],
    [7, 0.5],
  ])('keeps the jitter source in [0, 1): %s becomes %s', (given, used) => {
    expect(resolveOptions({ fetchToken, random: () => given }).random()).toBe(used);
  });

  it('checks before it resolves', () => {
    expect(() => resolveOptions({ fetchToken, idleGraceMs: -1 })).toThrow(/option `idleGraceMs`/);
  });
});
