import { describe, expect, it } from 'vitest';
import { isTokenError, TokenError } from 'twilio-token-lifecycle';

describe('TokenError', () => {
  it('carries code, status, retryable and cause', () => {
    const cause = new TypeError('Failed to fetch');
    const error = new TokenError('http', 'Token request failed with status 502: POST /api/token', { status: 502, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'TokenError', code: 'http', status: 502, retryable: true, cause });
  });

  it('defaults retryable by code', () => {
    expect(new TokenError('network', 'x').retryable).toBe(true);
    expect(new TokenError('unauthorized', 'x').retryable).toBe(false);
    expect(new TokenError('stopped', 'x').retryable).toBe(false);
  });

  it('is recognised across bundles by its name', () => {
    const foreign = Object.assign(new Error('from another copy'), { name: 'TokenError', code: 'network' });
    expect(isTokenError(foreign)).toBe(true);
    expect(isTokenError(new Error('plain'))).toBe(false);
    expect(isTokenError({ name: 'TokenError' })).toBe(false);
    expect(isTokenError(null)).toBe(false);
  });
});
