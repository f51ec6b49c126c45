// Options are checked once, at creation: a NaN that slips in becomes a timer loop or a retry that never comes.

function fail(name: string, value: unknown, rule: string): never {
  throw new TypeError(`createTokenManager: option \`${name}\` must be ${rule}, got ${String(value)}`);
}

/** Throws a `TypeError` naming the option unless `value` is absent or a finite number ≥ `min`. */
function checkNumber(name: string, value: unknown, { min = 0, allowInfinity = false } = {}): void {
  if (value === undefined) return;
  const isNumber = typeof value === 'number' && !Number.isNaN(value) && (allowInfinity || Number.isFinite(value));
  if (!isNumber || value < min) fail(name, value, `a ${allowInfinity ? '' : 'finite '}number ≥ ${min}`);
}

interface CheckedOptions {
  url?: unknown;
  fetchToken?: unknown;
  identity?: unknown;
  refreshBeforeMs?: unknown;
  idleGraceMs?: unknown;
  timeoutMs?: unknown;
  retry?: { limit?: unknown; baseDelayMs?: unknown; maxDelayMs?: unknown } | undefined;
  crossTab?: unknown;
}

/** Validates the options of `createTokenManager`, so that misuse fails at once and says how to fix it. */
export function checkOptions(options: CheckedOptions): void {
  if (typeof options !== 'object' || options === null) fail('options', options, 'an object');
  if (options.fetchToken !== undefined && typeof options.fetchToken !== 'function') fail('fetchToken', options.fetchToken, 'a function');
  if (options.url === undefined && options.fetchToken === undefined) {
    throw new Error('createTokenManager needs either `url` (your token endpoint) or `fetchToken`.');
  }
  if (options.identity !== undefined && (typeof options.identity !== 'string' || options.identity === '')) {
    fail('identity', options.identity, 'a non-empty string');
  }
  checkNumber('refreshBeforeMs', options.refreshBeforeMs);
  checkNumber('idleGraceMs', options.idleGraceMs);
  checkNumber('timeoutMs', options.timeoutMs, { min: 1 });
  const { retry, crossTab } = options;
  if (retry !== undefined && (typeof retry !== 'object' || retry === null)) fail('retry', retry, 'an object');
  checkNumber('retry.limit', retry?.limit, { allowInfinity: true });
  checkNumber('retry.baseDelayMs', retry?.baseDelayMs);
  checkNumber('retry.maxDelayMs', retry?.maxDelayMs);
  if (typeof crossTab === 'object' && crossTab !== null) {
    checkNumber('crossTab.peerWaitMs', (crossTab as { peerWaitMs?: unknown }).peerWaitMs);
  }
}
