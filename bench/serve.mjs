// A child process for the load benchmark: the reference server with one signer or the other.
import { serve } from '@hono/node-server';
import twilio from 'twilio';
import { createApp } from '../examples/server/dist/app.js';
import { loadConfig } from '../examples/server/dist/config.js';

const { AccessToken } = twilio.jwt;

/** The same token, signed by Twilio's helper library. */
function mintWithHelper(input) {
  const token = new AccessToken(input.accountSid, input.apiKeySid, input.apiSecret, { identity: input.identity, ttl: input.ttlSeconds });
  if (input.grants.video) token.addGrant(new AccessToken.VideoGrant({ room: input.grants.video.room }));
  return token.toJwt();
}

const config = loadConfig({
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_API_KEY: 'SK0123456789abcdef0123456789abcdef',
  TWILIO_API_SECRET: 'benchmark-secret-0123456789abcdef',
});
const app = createApp(config, {
  rateLimit: { perSession: Number.MAX_SAFE_INTEGER, perAddress: Number.MAX_SAFE_INTEGER },
  mint: process.argv[2] === 'helper' ? mintWithHelper : undefined,
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`PORT ${info.port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
