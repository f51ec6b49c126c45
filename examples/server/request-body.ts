import type { Context, MiddlewareHandler } from 'hono';
import { ApiError, errorResponse } from './api-error';

/**
 * Whether the request carries a body, decided from its headers where possible: building the body
 * stream of a request that has none costs more than the rest of a token request.
 */
function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  if (length !== undefined) return Number(length) > 0;
  if (c.req.header('transfer-encoding') !== undefined) return true;
  // Under Node, no length and no transfer coding means no body; elsewhere (tests) ask the request.
  const isNode = (c.env as { incoming?: unknown } | undefined)?.incoming !== undefined;
  return !isNode && c.req.raw.body !== null;
}

/** Refuses bodies over `maxBytes` with 413, by `Content-Length` when given, else by reading them. */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const tooLarge = () => errorResponse(c, new ApiError(413, 'body-too-large', `The body is larger than ${maxBytes} bytes`));
    const length = c.req.header('content-length');
    if (length !== undefined && Number(length) > maxBytes) return tooLarge();
    if (length === undefined && hasBody(c) && Buffer.byteLength(await c.req.text()) > maxBytes) return tooLarge();
    return next();
  };
}

/**
 * The request's JSON object body. An empty body is `{}` unless `required`; anything else must be
 * `application/json` holding an object.
 */
export async function readJsonObject(c: Context, options: { required: boolean }): Promise<Record<string, unknown>> {
  const text = hasBody(c) ? await c.req.text() : '';
  if (text.trim() === '') {
    if (options.required) throw new ApiError(400, 'invalid-body', 'Send a JSON object body');
    return {};
  }
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, 'unsupported-media-type', 'Send the body as Content-Type: application/json');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid-json', 'The body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'invalid-body', 'The body must be a JSON object');
  }
  return body as Record<string, unknown>;
}
