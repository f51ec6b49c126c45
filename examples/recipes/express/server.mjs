// Express 4 recipe (ES modules: run as server.mjs, or in a package with "type": "module").
//   npm install express@4 express-session twilio-token-lifecycle
//   TWILIO_ACCOUNT_SID=AC… TWILIO_API_KEY=SK… TWILIO_API_SECRET=… SESSION_SECRET=… node server.mjs
import { pathToFileURL } from 'node:url';
import express from 'express';
import session from 'express-session';
import { isMintInputError, MAX_IDENTITY_LENGTH, mintAccessToken } from 'twilio-token-lifecycle/server';

const REQUIRED = ['TWILIO_ACCOUNT_SID', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'SESSION_SECRET'];

const sendError = (res, status, code, message) => res.status(status).json({ error: { code, message } });

/** The app, configured from `env` (process.env when run). */
export function createApp(env = process.env) {
  const missing = REQUIRED.filter((name) => !env[name]);
  const app = express();
  app.use(express.json({ limit: '8kb' }));

  // A missing variable is named in a JSON error on every API call, not an HTML 500 with a stack.
  app.use('/api', (req, res, next) =>
    missing.length > 0 ? sendError(res, 500, 'misconfigured', `Set ${missing.join(', ')} in the environment`) : next(),
  );
  app.use(
    session({
      secret: env.SESSION_SECRET || 'unused: every request is refused above',
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'strict', secure: env.NODE_ENV === 'production' },
    }),
  );

  // Demo sign-in: it trusts the name it is given. Put your real authentication here (password, OAuth…).
  app.post('/api/login', (req, res, next) => {
    const identity = req.body?.identity;
    if (typeof identity !== 'string' || identity.length === 0 || identity.length > MAX_IDENTITY_LENGTH) {
      return sendError(res, 400, 'invalid-identity', `identity must be 1 to ${MAX_IDENTITY_LENGTH} characters`);
    }
    // A new session id at sign-in, so a session fixed before it is worthless.
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.userId = identity.normalize('NFC');
      res.json({ identity: req.session.userId });
    });
  });

  // The token is for the session's user, never for an identity the request names.
  app.post('/api/token', async (req, res, next) => {
    if (!req.session.userId) return sendError(res, 401, 'no-session', 'Sign in first');
    try {
      const token = await mintAccessToken({
        accountSid: env.TWILIO_ACCOUNT_SID,
        apiKeySid: env.TWILIO_API_KEY,
        apiSecret: env.TWILIO_API_SECRET,
        identity: req.session.userId,
        ttlSeconds: 3600,
        grants: { video: {} },
      });
      res.set('Cache-Control', 'no-store').json({ token });
    } catch (error) {
      next(error); // Express 4 does not catch a rejected promise by itself
    }
  });

  app.use('/api', (req, res) => sendError(res, 404, 'not-found', 'No such route'));
  // Every other failure as JSON too (Express's own handler answers an HTML page with the stack).
  app.use((error, req, res, next) => {
    if (res.headersSent) return next(error);
    if (isMintInputError(error)) return sendError(res, 400, error.code, error.message);
    const status = error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) console.error(error);
    sendError(res, status, status === 500 ? 'internal' : 'bad-request', status === 500 ? 'Something went wrong' : error.message);
  });
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 3001); // 3000 is the reference server's
  createApp().listen(port, () => console.log(`Token server on http://localhost:${port}`));
}
