// functions/token.js (Twilio Functions, CommonJS). Dependencies of the Service: twilio-token-lifecycle
// and jose. Environment variables: API_KEY, API_SECRET and SESSION_SECRET (ACCOUNT_SID is given).
// A Function has no session of its own: the app's backend hands each signed-in user a short HS256
// session JWT (`sub` = user id), which the page sends as `Authorization: Bearer …`.
const { isMintInputError, mintAccessToken } = require('twilio-token-lifecycle/server');

const REQUIRED = ['ACCOUNT_SID', 'API_KEY', 'API_SECRET', 'SESSION_SECRET'];

exports.handler = async (context, event, callback) => {
  const response = new Twilio.Response();
  response.appendHeader('Content-Type', 'application/json');
  response.appendHeader('Cache-Control', 'no-store');
  const answer = (status, body) => {
    response.setStatusCode(status);
    response.setBody(body);
    return callback(null, response);
  };

  // Named in a JSON error, not a stack trace.
  const missing = REQUIRED.filter((name) => !context[name]);
  if (missing.length > 0) {
    return answer(500, { error: { code: 'misconfigured', message: `Set ${missing.join(', ')} in the environment` } });
  }

  const { jwtVerify } = await import('jose');
  const bearer = /^Bearer (.+)$/.exec(event.request?.headers?.authorization ?? '')?.[1];
  const userId = bearer
    ? await jwtVerify(bearer, new TextEncoder().encode(context.SESSION_SECRET), { algorithms: ['HS256'] }).then(({ payload }) => payload.sub, () => undefined)
    : undefined;
  if (!userId) return answer(401, { error: { code: 'no-session', message: 'Sign in first' } });

  try {
    const token = await mintAccessToken({
      accountSid: context.ACCOUNT_SID,
      apiKeySid: context.API_KEY,
      apiSecret: context.API_SECRET,
      identity: userId,
      ttlSeconds: 3600,
      grants: { video: {} },
    });
    return answer(200, { token });
  } catch (error) {
    if (isMintInputError(error)) return answer(400, { error: { code: error.code, message: error.message } });
    return callback(error);
  }
};
