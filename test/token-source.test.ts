// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTokenManager, TokenError } from 'twilio-token-lifecycle';
import { mintTestToken } from 'twilio-token-lifecycle/testing';
// The functions themselves, so these checks do not depend on how the manager wraps them.
import { customTokenSource, toTokenError, type FetchToken } from '../src/token-source';

const context = () => ({ signal: new AbortController().signal, reason: 'initial' as const });
const abortError = () => new DOMException('This operation was aborted', 'AbortError');

describe('customTokenSource', () => {
  it('turns a synchronous throw into a non-retryable misconfigured error', async () => {
    const thrown = new Error('config is undefined');
    const source = customTokenSource(() => {
      throw thrown;
    });
    const error = (await source(context()).then(
      () => expect.unreachable('fetchToken threw'),
      (reason: unknown) => reason,
    )) as TokenError;
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({
      code: 'misconfigured',
      retryable: false,
      message: 'fetchToken threw synchronously: config is undefined; it must return a promise',
    });
    expect(error.cause).toBe(thrown);
  });

  it('describes a thrown non-Error too', async () => {
    const source = customTokenSource((() => {
      throw 'nope';
    }) as FetchToken);
    await expect(source(context())).rejects.toMatchObject({ code: 'misconfigured', cause: 'nope', message: expect.stringContaining(': nope;') });
    const odd = customTokenSource((() => {
      throw Object.create(null);
    }) as FetchToken);
    await expect(odd(context())).rejects.toMatchObject({ code: 'misconfigured', message: expect.stringContaining(': object;') });
  });

  it('leaves an asynchronous rejection as it is, for the manager to map', async () => {
    const rejected = new Error('offline');
    await expect(customTokenSource(async () => Promise.reject(rejected))(context())).rejects.toBe(rejected);
  });

  it('accepts a value returned without a promise', async () => {
    const jwt = mintTestToken({ identity: 'alice' });
    expect(await customTokenSource((() => ({ token: jwt })) as unknown as FetchToken)(context())).toEqual({ jwt });
    expect(await customTokenSource((() => jwt) as unknown as FetchToken)(context())).toEqual({ jwt });
  });

  it('reaches the app through the manager', async () => {
    const manager = createTokenManager({
      fetchToken: () => {
        throw new TypeError('fetch is not a function');
      },
    });
    try {
      await expect(manager.getToken()).rejects.toMatchObject({ code: 'misconfigured', retryable: false });
    } finally {
      manager.stop();
    }
  });
});

describe('toTokenError', () => {
  it('calls an AbortError the manager did not ask for a retryable network error', () => {
    const cause = abortError();
    const error = toTokenError(cause, new AbortController().signal);
    expect(error).toMatchObject({ code: 'network', retryable: true, message: 'Token request was aborted by the transport' });
    expect(error.cause).toBe(cause);
  });

  it('calls it aborted when the manager’s signal was aborted', () => {
    const controller = new AbortController();
    controller.abort();
    const cause = abortError();
    expect(toTokenError(cause, controller.signal)).toMatchObject({ code: 'aborted', retryable: false, cause });
    expect(toTokenError(new Error('socket hang up'), controller.signal)).toMatchObject({ code: 'aborted' });
  });

  it('passes a TokenError through and calls anything else a network error', () => {
    const own = new TokenError('misconfigured', 'x');
    expect(toTokenError(own, new AbortController().signal)).toBe(own);
    expect(toTokenError(new TypeError('fetch failed'), new AbortController().signal)).toMatchObject({
      code: 'network',
      retryable: true,
      message: 'Token request failed: fetch failed',
    });
  });

  it('reports a transport abort through the manager as retryable', async () => {
    const manager = createTokenManager({ fetchToken: async () => Promise.reject(abortError()) });
    try {
      await expect(manager.getToken()).rejects.toMatchObject({ code: 'network', retryable: true });
    } finally {
      manager.stop();
    }
  });
});
