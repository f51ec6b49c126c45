import type { Context, MiddlewareHandler } from 'hono';
import { ApiError, errorResponse } from './api-error';

/** The client went away before its request was read whole: nothing to answer, nothing to alarm about. */
export class ClientAbortError extends Error {
  override readonly name = 'ClientAbortError';
  constructor(options?: { cause?: unknown }) {
    super('The client closed the connection before sending the whole request', options);
  }
}

/** Whether `error` says the client hung up (ours, or Node's `aborted` / `ECONNRESET`). */
export function isClientAbort(error: unknown): boolean {
  if (error instanceof ClientAbortError) return true;
  const { message, code, name } = (error ?? {}) as { message?: unknown; code?: unknown; name?: unknown };
  return message === 'aborted' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || name === 'AbortError';
}

/**
 * Whether the request carries a body, decided from its headers where possible: building the body
 * stream of a request that has none costs more than the rest of a token request.
 */
function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  if (length !== undefined) return Number(length) > 0;
  if (c.req.header('transfer-encoding') !== undefined) return true;
  // Under Node, no length and no transfer coding means no body; elsewhere (tests) ask the request.
  return !isNode(c) && c.req.raw.body !== null;
}

/** Whether the request came through `@hono/node-server` (which passes Node's request as `env.incoming`). */
const isNode = (c: Context) => (c.env as { incoming?: unknown } | undefined)?.incoming !== undefined;

/** What {@link readFromNode} uses of Node's `IncomingMessage` (this module imports nothing of Node's). */
interface NodeIncoming {
  readonly readableEnded: boolean;
  readonly destroyed: boolean;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'error' | 'close', listener: (error?: unknown) => void): unknown;
  off(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  off(event: 'end' | 'error' | 'close', listener: (error?: unknown) => void): unknown;
}

const utf8 = new TextDecoder();

/**
 * A body whose `Content-Length` is within the limit, read under Node straight from Node's request,
 * without building a web `Request` and its stream (which more than doubled a token request's CPU for a
 * two-byte body). Node's HTTP parser delivers exactly `Content-Length` bytes, so the limit holds;
 * elsewhere a `Content-Length` header need not match the body, which is streamed and counted instead.
 */
function readFromNode(incoming: NodeIncoming, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const bytes = new Uint8Array(length);
    let received = 0;
    const take = (chunk: Uint8Array) => {
      bytes.set(chunk.subarray(0, length - received), received);
      received += chunk.byteLength;
    };
    const done = (error?: unknown) => {
      incoming.off('data', take);
      incoming.off('end', onEnd);
      incoming.off('error', done);
      incoming.off('close', onClose);
      if (error !== undefined || received !== length) reject(new ClientAbortError({ cause: error }));
      else resolve(utf8.decode(bytes));
    };
    const onEnd = () => done();
    // Closed before its end: the client went away.
    const onClose = () => (incoming.readableEnded ? onEnd() : done(new Error('aborted')));
    // Gone before we listen, 'close' would never come again.
    if (incoming.destroyed) return reject(new ClientAbortError());
    incoming.on('data', take);
    incoming.on('end', onEnd);
    incoming.on('error', done);
    incoming.on('close', onClose);
  });
}

// The bodies `bodyLimit` has read, for `readJsonObject`.
const bodies = new WeakMap<Request, string>();

/**
 * Reads the body chunk by chunk, never holding more than `maxBytes`: `undefined` as soon as it grows
 * past that, without waiting for the rest (a chunked or slow body gets its answer at once).
 */
async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        throw new ClientAbortError({ cause: error });
      }
      if (result.done) break;
      total += result.value.byteLength;
      if (total > maxBytes) return undefined;
      chunks.push(result.value);
    }
  } finally {
    // Not `cancel()`: under Node that destroys the socket before the 413 is written. The server
    // drains (and then closes) what the client still sends, without keeping it.
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Refuses bodies over `maxBytes` with 413: at once by `Content-Length` when given, else while
 * reading, as soon as the count passes the limit.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const tooLarge = () => {
      c.header('Connection', 'close'); // the rest of the body is not wanted on this connection
      return errorResponse(c, new ApiError(413, 'body-too-large', `The body is larger than ${maxBytes} bytes`));
    };
    const length = c.req.header('content-length');
    if (length !== undefined && Number(length) > maxBytes) return tooLarge();
    if (length !== undefined && isNode(c)) {
      if (Number(length) > 0) bodies.set(c.req.raw, await readFromNode((c.env as { incoming: NodeIncoming }).incoming, Number(length)));
    } else if (hasBody(c) && c.req.raw.body !== null) {
      const text = await readAtMost(c.req.raw.body, maxBytes);
      if (text === undefined) return tooLarge();
      bodies.set(c.req.raw, text);
    }
    return next();
  };
}

/**
 * The request's JSON object body (read by `bodyLimit`, which must run first). An empty body is `{}`
 * unless `required`; anything else must be `application/json` holding an object.
 */
export async function readJsonObject(c: Context, options: { required: boolean }): Promise<Record<string, unknown>> {
  const text = bodies.get(c.req.raw) ?? '';
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
