import type { MiddlewareHandler } from 'hono';
import { ApiError, errorResponse } from './api-error';

/** A host the server answers to: a name (lower case, IPv6 in brackets) and, optionally, one port. */
export interface HostPattern {
  name: string;
  /** Only this port; any port when absent. */
  port?: string;
}

/** Loopback names, allowed on any port. */
export const LOOPBACK_HOSTS: readonly HostPattern[] = [{ name: 'localhost' }, { name: '127.0.0.1' }, { name: '[::1]' }];

const NAME = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** Splits a `Host` value (`name`, `name:port`, `[v6]:port`) into its parts, or `undefined` if it is malformed. */
export function parseHost(value: string): HostPattern | undefined {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const name = match[1]!;
  const port = match[2];
  if (!(IPV6.test(name) || NAME.test(name))) return undefined;
  if (port !== undefined && Number(port) > 65_535) return undefined;
  return port === undefined ? { name } : { name, port };
}

const matches = (host: HostPattern, pattern: HostPattern) =>
  host.name === pattern.name && (pattern.port === undefined || pattern.port === host.port);

/** Whether a `Host` value names this server. */
export function isAllowedHost(value: string | undefined, allowed: readonly HostPattern[]): boolean {
  const host = value === undefined ? undefined : parseHost(value);
  return host !== undefined && allowed.some((pattern) => matches(host, pattern));
}

/**
 * Answers 421 to any request whose `Host` is not one of this server's names, before any route runs.
 * Without it, DNS rebinding (a page on `evil.example:PORT` whose name then resolves to 127.0.0.1)
 * would reach the API as a same-origin caller and be given tokens.
 */
export function hostGuard(allowed: readonly HostPattern[]): MiddlewareHandler {
  return async (c, next) => {
    // Under Node and at the edge the request carries `Host`; `app.request()` in tests only has the URL.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!isAllowedHost(host, allowed)) {
      return errorResponse(c, new ApiError(421, 'unknown-host', 'This server does not answer to that host name; add it to ALLOWED_HOSTS'));
    }
    return next();
  };
}
