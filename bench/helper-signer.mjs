import twilio from 'twilio';

const { AccessToken } = twilio.jwt;

/** The token `examples/server` mints, signed instead by Twilio's helper library: the baseline. */
export function mintWithHelper(input) {
  const token = new AccessToken(input.accountSid, input.apiKeySid, input.apiSecret, { identity: input.identity, ttl: input.ttlSeconds });
  if (input.grants.video) token.addGrant(new AccessToken.VideoGrant({ room: input.grants.video.room }));
  return token.toJwt();
}
