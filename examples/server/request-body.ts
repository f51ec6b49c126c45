import type { Context } from 'hono';
import { ApiError } from './api-error';

/**
 * The request's JSON object body. An empty body is `{}` unless `required`; anything else must be
 * `application/json` holding an object.
 */
export async function readJsonObject(c: Context, options: { required: boolean }): Promise<Record<string, unknown>> {
  const text = await c.req.text();
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
