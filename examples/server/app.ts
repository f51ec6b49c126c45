import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { isMintInputError } from 'twilio-token-lifecycle/server';
import { ApiError, errorResponse } from './api-error';
import { addressBucket, nodeSocketAddress } from './client-address';
import { grantsFor, type ServerConfig } from './config';
import { checkAsTwilio, mintBroken, readBreakMode } from './demo-break';
import { demoPages } from './demo-pages';
import { hostGuard } from './host-guard';
import { identityProblem, normalizeIdentity } from './identity';
import { escapeForLog } from './log-line';
import { mintAccessToken, type MintInput } from './mint-access-token';
import { originGuard } from './origin-guard';
import { RateLimiter, type CounterFactory, type RateDecision } from './rate-limiter';
import { bodyLimit, isClientAbort, readJsonObject } from './request-body';
import { securityHeaders } from './security-headers';
import { clearSession, newSessionExpiry, readSession, writeSession, type Session } from './session';
import { isSessionStoreUnavailable, MemorySessionStore, type SessionStore } from './session-store';

/** The largest request body the API reads; a longer one is cut off with 413 while it streams. */
export const MAX_BODY_BYTES = 8 * 1024;
const MAX_ROOM_LENGTH = 128;
const MAX_OUTAGE_SECONDS = 300;

/** How {@link createApp} is wired: stores, limits, signer, clock and log; every field has a default. */
export interface AppOptions {
  /** Folder with the demo's index.html, demo.css and dist/demo.js; no pages without it. */
  demoDir?: string;
  /**
   * `/api/token` requests allowed per session (30) and per client address (120), and sign-ins plus
   * sign-outs per client address (`loginsPerAddress`, 10), in each window of `windowMs` (a minute).
   * IPv6 addresses count by their /64.
   */
  rateLimit?: { perSession?: number; perAddress?: number; loginsPerAddress?: number; windowMs?: number };
  /**
   * Where the rate limits count: shared by every instance in Redis (`createStores` in `stores.ts`, Node
   * only) or per process. @default memoryCounters (this process's memory, bounded)
   */
  rateLimitStore?: CounterFactory;
  /**
   * One line per request (method, path, status or `aborted`, time); never a token, cookie or secret.
   * Control and format characters from the request are escaped (`\x0a`), so no line can be forged.
   */
  log?: (line: string) => void;
  /** The clock for sessions and rate-limit windows (tests move it). @default Date.now */
  now?: () => number;
  /**
   * The signer. @default mintAccessToken from `twilio-token-lifecycle/server` (node:crypto on Node,
   * WebCrypto at the edge)
   */
  mint?: (input: MintInput) => string | Promise<string>;
  /**
   * The client's address, for the per-address rate limit: the socket's under `@hono/node-server`;
   * at the edge, say, `(c) => c.req.header('cf-connecting-ip')`. Behind your own proxies,
   * `proxiedClientAddress(hops)` from `client-address.ts` (what `main.ts` does with `TRUST_PROXY_HOPS`).
   * @default the Node socket's remote address when there is one, else `'unknown'`
   */
  clientAddress?: (c: Context) => string | undefined;
  /** Where signed-in sessions live; logout deletes them. @default a MemorySessionStore */
  sessions?: SessionStore;
  /**
   * A first, coarse line before the limits above, asked with the client's address on every `/api/*`
   * request: `false` answers 429 with `Retry-After: 60` at once. The Worker passes Cloudflare's
   * rate-limit binding (`EDGE_RATE_LIMIT`), which counts per location and approximately.
   */
  coarseLimit?: (address: string) => Promise<boolean>;
}

type Env = { Variables: { aborted: boolean } };

/** The reference token server: sessions, `/api/token` and the demo pages, as a Hono app. */
export function createApp(config: ServerConfig, options: AppOptions = {}) {
  const now = options.now ?? Date.now;
  const mint = options.mint ?? mintAccessToken;
  const windowMs = options.rateLimit?.windowMs ?? 60_000;
  const perSession = new RateLimiter('session', options.rateLimit?.perSession ?? 30, windowMs, options.rateLimitStore, now);
  const perAddress = new RateLimiter('address', options.rateLimit?.perAddress ?? 120, windowMs, options.rateLimitStore, now);
  // Every sign-in writes a session to the store: unlimited, a loop of them would evict everyone else's.
  const loginsPerAddress = new RateLimiter('login', options.rateLimit?.loginsPerAddress ?? 10, windowMs, options.rateLimitStore, now);
  const addressOf = (c: Context) => addressBucket(options.clientAddress?.(c) ?? nodeSocketAddress(c) ?? 'unknown');
  const hasVoice = config.twimlAppSid !== undefined;
  const sessions = options.sessions ?? new MemorySessionStore(now);

  const app = new Hono<Env>();

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const outcome = c.get('aborted') ? 'aborted' : c.res.status;
    options.log?.(`${escapeForLog(c.req.method)} ${escapeForLog(c.req.path)} ${outcome} ${Math.round(performance.now() - started)}ms`);
  });
  app.use(securityHeaders());
  // Before any route: a request for a host name that is not ours is DNS rebinding (or a mistake).
  app.use(hostGuard(config.allowedHosts));
  if (config.allowedOrigins.length > 0) {
    app.use(
      '/api/*',
      cors({
        origin: config.allowedOrigins,
        credentials: true,
        allowMethods: ['POST'],
        allowHeaders: ['Content-Type'],
        // Unreadable across origins unless exposed: the manager times a cached token by `Date` and
        // waits out a 429/503 by `Retry-After`.
        exposeHeaders: ['Date', 'Retry-After'],
        maxAge: 600,
      }),
    );
  }
  app.use('/api/*', originGuard(config.publicUrl ? [...config.allowedOrigins, config.publicUrl] : config.allowedOrigins));
  const { coarseLimit } = options;
  if (coarseLimit) {
    // Turns a flood away before it costs a store call; the exact limits still apply to what passes.
    app.use('/api/*', async (c, next) => {
      if (!(await coarseLimit(addressOf(c)))) {
        throw new ApiError(429, 'rate-limited', 'Too many requests from this address; try again later', { 'Retry-After': '60' });
      }
      await next();
    });
  }
  app.use('/api/*', bodyLimit(MAX_BODY_BYTES));
  app.use('/api/*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });

  // The signed cookie says who; the store says whether that sign-in is still live (not logged out).
  const noSession = () => new ApiError(401, 'no-session', 'Sign in first: POST /api/login');
  const claimedSession = (c: Context): Session => {
    const session = readSession(c, config.sessionSecret, now());
    if (!session) throw noSession();
    return session;
  };
  const requireLive = async (session: Session) => {
    if (!(await sessions.has(session.id))) throw noSession();
  };
  const requireSession = async (c: Context): Promise<Session> => {
    const session = claimedSession(c);
    await requireLive(session);
    return session;
  };
  const refuseIfLimited = (decisions: RateDecision[], what: string) => {
    const waits = decisions.flatMap((decision) => (decision.allowed ? [] : [decision.retryAfterSeconds]));
    if (waits.length > 0) {
      throw new ApiError(429, 'rate-limited', `Too many ${what}; try again later`, { 'Retry-After': String(Math.max(...waits)) });
    }
  };

  app.post('/api/login', async (c) => {
    refuseIfLimited([await loginsPerAddress.take(addressOf(c))], 'sign-ins from this address');
    const body = await readJsonObject(c, { required: true });
    const identity = typeof body.identity === 'string' ? normalizeIdentity(body.identity) : body.identity;
    const problem = identityProblem(identity, { voice: hasVoice });
    if (problem) throw new ApiError(400, 'invalid-identity', problem);
    // Signing in again replaces the session this browser had.
    const previous = readSession(c, config.sessionSecret, now());
    if (previous) await sessions.delete(previous.id);
    const session: Session = { identity: identity as string, id: crypto.randomUUID(), expiresAt: newSessionExpiry(now()) };
    await sessions.add(session.id, session.expiresAt);
    writeSession(c, config.sessionSecret, session);
    return c.json({ identity: session.identity });
  });

  app.post('/api/logout', async (c) => {
    refuseIfLimited([await loginsPerAddress.take(addressOf(c))], 'sign-ins and sign-outs from this address');
    // Ends the session in the store, so a copy of the cookie taken before logout is worthless too.
    const session = readSession(c, config.sessionSecret, now());
    try {
      if (session) await sessions.delete(session.id);
    } finally {
      // Even when the store is down (503): this browser is signed out, though a copy of its cookie may live on.
      clearSession(c);
    }
    return c.json({ identity: null });
  });

  app.get('/api/session', async (c) => {
    const session = await requireSession(c);
    return c.json({ identity: session.identity, ttlSeconds: config.ttlSeconds, isLocalOnly: config.isLocalOnly });
  });

  app.post('/api/token', async (c) => {
    // Limits before the store: the signed cookie is enough to count by, and while a shared store is
    // down the limits still hold (in memory) ahead of the session check's 503.
    const session = claimedSession(c);
    // Both at once: against a hung store each waits out its timeout, so in turn they would wait twice.
    refuseIfLimited(await Promise.all([perSession.take(session.id), perAddress.take(addressOf(c))]), 'token requests');
    await requireLive(session);
    const body = await readJsonObject(c, { required: false });
    const room = body.room;
    if (room !== undefined && (typeof room !== 'string' || room.length === 0 || room.length > MAX_ROOM_LENGTH || /\p{Cc}/u.test(room))) {
      throw new ApiError(400, 'invalid-room', `room must be a name of 1 to ${MAX_ROOM_LENGTH} printable characters`);
    }
    if (session.outageUntil !== undefined && session.outageUntil > now()) {
      // As a backend down for planned work would: say when to come back (the client waits that long).
      const retryAfterSeconds = Math.ceil((session.outageUntil - now()) / 1000);
      throw new ApiError(503, 'simulated-outage', 'The token backend is down (simulated by the demo)', { 'Retry-After': String(retryAfterSeconds) });
    }
    const issuedAt = now();
    // Only the local signer breaks tokens on request (demo): never a real Twilio key's.
    const token = await mintBroken(mint, {
      accountSid: config.accountSid,
      apiKeySid: config.apiKeySid,
      apiSecret: config.apiSecret,
      identity: session.identity,
      ttlSeconds: config.ttlSeconds,
      grants: grantsFor(config, room as string | undefined),
      ...(config.region ? { region: config.region } : {}),
      now: issuedAt,
    }, config.isLocalOnly ? session.breakMode : undefined);
    const expiresAt = (Math.floor(issuedAt / 1000) + config.ttlSeconds) * 1000;
    return c.json({ token, identity: session.identity, expiresAt });
  });

  // Demo only: makes this session's `/api/token` answer 503 for a while, to watch the retries.
  app.post('/api/demo/outage', async (c) => {
    const session = await requireSession(c);
    const body = await readJsonObject(c, { required: true });
    const seconds = body.seconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0 || seconds > MAX_OUTAGE_SECONDS) {
      throw new ApiError(400, 'invalid-body', `seconds must be a whole number from 0 to ${MAX_OUTAGE_SECONDS}`);
    }
    const outageUntil = now() + seconds * 1000;
    writeSession(c, config.sessionSecret, { ...session, outageUntil });
    return c.json({ outageUntil });
  });

  if (config.isLocalOnly) {
    // Demo only, local signer only: the next tokens of this session come broken (`mode: null` mends them).
    app.post('/api/demo/break', async (c) => {
      const session = await requireSession(c);
      const mode = readBreakMode(await readJsonObject(c, { required: true }));
      const { breakMode: _previous, ...rest } = session;
      writeSession(c, config.sessionSecret, mode === null ? rest : { ...rest, breakMode: mode });
      return c.json({ mode });
    });
    // Demo only: a stand-in for Twilio, checking a token with this server's secret as Twilio would.
    app.post('/api/demo/twilio', async (c) => {
      await requireSession(c);
      const { token } = await readJsonObject(c, { required: true });
      if (typeof token !== 'string' || token === '') throw new ApiError(400, 'invalid-body', 'token must be the JWT, a string');
      const refused = checkAsTwilio(token, config.apiSecret, now());
      return refused ? c.json(refused, refused.status) : c.json({ ok: true });
    });
  }

  if (options.demoDir) app.route('/', demoPages(options.demoDir));

  app.all('/api/*', (c) => {
    const known = ['/api/login', '/api/logout', '/api/token', '/api/session', '/api/demo/outage'];
    if (config.isLocalOnly) known.push('/api/demo/break', '/api/demo/twilio');
    if (known.includes(c.req.path)) {
      throw new ApiError(405, 'method-not-allowed', `${c.req.method} is not allowed on ${c.req.path}`, {
        Allow: c.req.path === '/api/session' ? 'GET' : 'POST',
      });
    }
    throw new ApiError(404, 'not-found', `No route ${c.req.method} ${c.req.path}`);
  });
  app.notFound((c) => errorResponse(c, new ApiError(404, 'not-found', `No route ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (isSessionStoreUnavailable(error)) {
      // Whether this session logged out cannot be known: no token, and no 500 either.
      return errorResponse(c, new ApiError(503, 'sessions-unavailable', 'Sessions cannot be checked right now; try again shortly', {
        'Retry-After': String(error.retryAfterSeconds),
      }));
    }
    if (isMintInputError(error) && error.code === 'invalid-identity') {
      // A validly signed cookie whose identity the signer refuses (signed before today's identity
      // rules, say): that session cannot get a token, so it ends here and the user signs in again.
      clearSession(c);
      return errorResponse(c, new ApiError(401, 'no-session', 'This session cannot get a token; sign in again: POST /api/login'));
    }
    if (isClientAbort(error)) {
      // The client hung up mid-request: logged as an abort, not as a server error. Nobody reads this answer.
      c.set('aborted', true);
      return errorResponse(c, new ApiError(400, 'aborted', 'The request was not sent whole'));
    }
    // Unexpected: say nothing about it to the client, log only its message.
    options.log?.(`error: ${escapeForLog(error.message)}`);
    return errorResponse(c, new ApiError(500, 'internal', 'Something went wrong'));
  });
  return app;
}
