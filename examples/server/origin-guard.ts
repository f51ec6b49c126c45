import type { MiddlewareHandler } from 'hono';
import { ApiError, errorResponse } from './api-error';

/**
 * Refuses state-changing requests from other sites: the `Origin` must be this server's own or an
 * allowed one, and a browser's `Sec-Fetch-Site: cross-site` without an allowed origin is refused too.
 * SameSite=Strict cookies already keep the session out of such requests; this is the second lock.
 */
export function originGuard(allowedOrigins: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const origin = c.req.header('origin');
    const ownOrigin = new URL(c.req.url).origin;
    const isAllowed = origin !== undefined && (origin === ownOrigin || allowedOrigins.includes(origin));
    const site = c.req.header('sec-fetch-site');
    if ((origin !== undefined && !isAllowed) || (!isAllowed && site === 'cross-site')) {
      return errorResponse(c, new ApiError(403, 'cross-site', 'Cross-site requests are not allowed'));
    }
    return next();
  };
}
