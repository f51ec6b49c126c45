// Options are checked once, at creation: a NaN that slips in becomes a timer loop or a retry that never comes.

interface CheckedOptions {
  url?: unknown;
  fetchToken?: unknown;
  identity?: unknown;
  refreshBeforeMs?: unknown;
  idleGraceMs?: unknown;
  timeoutMs?: unknown;
  retry?: { limit?: unknown; baseDelayMs?: unknown; maxDelayMs?: unknown } | undefined;
  request?: { timeout?: unknown } | undefined;
  random?: unknown;
  crossTab?: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Validates the options of `createTokenManager`, so that misuse fails at once and says how to fix it. */
export function checkOptions(options: CheckedOptions): void {
  const fail = (name: string, value: unknown, rule: string): never => {
    throw new TypeError(`createTokenManager: option \`${name}\` must be ${rule}, got ${String(value)}`);
  };
  /** Unless `value` is absent: a number ≥ `min`, finite unless `allowInfinity`. */
  const checkNumber = (name: string, value: unknown, min = 0, allowInfinity = false) => {
    if (value !== undefined && !(typeof value === 'number' && value >= min && (allowInfinity || value < Infinity))) {
      fail(name, value, `a ${allowInfinity ? '' : 'finite '}number ≥ ${min}`);
    }
  };
  if (!isObject(options)) fail('options', options, 'an object');
  const { fetchToken, identity, retry, crossTab } = options;
  if (fetchToken !== undefined && typeof fetchToken !== 'function') fail('fetchToken', fetchToken, 'a function');
  if (options.url === undefined && fetchToken === undefined) {
    throw new Error('createTokenManager needs either `url` or `fetchToken`');
  }
  if (identity !== undefined && (typeof identity !== 'string' || identity === '')) fail('identity', identity, 'a non-empty string');
  checkNumber('refreshBeforeMs', options.refreshBeforeMs);
  checkNumber('idleGraceMs', options.idleGraceMs);
  checkNumber('timeoutMs', options.timeoutMs, 1);
  // `request.timeout` is the default `timeoutMs`; `false` turns ky's own off, as the manager does.
  if (options.request?.timeout !== false) checkNumber('request.timeout', options.request?.timeout, 1);
  if (options.random !== undefined && typeof options.random !== 'function') fail('random', options.random, 'a function');
  if (retry !== undefined && !isObject(retry)) fail('retry', retry, 'an object');
  checkNumber('retry.limit', retry?.limit, 0, true);
  checkNumber('retry.baseDelayMs', retry?.baseDelayMs);
  checkNumber('retry.maxDelayMs', retry?.maxDelayMs);
  if (isObject(crossTab)) checkNumber('crossTab.peerWaitMs', crossTab.peerWaitMs);
}
