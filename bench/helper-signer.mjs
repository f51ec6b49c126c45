import twilio from 'twilio';

const { AccessToken } = twilio.jwt;

// Each grant key of `twilio-token-lifecycle/server`'s input, as the helper's grant class.
const GRANTS = {
  chat: (g) => new AccessToken.ChatGrant({ serviceSid: g.service_sid, endpointId: g.endpoint_id, deploymentRoleSid: g.deployment_role_sid, pushCredentialSid: g.push_credential_sid }),
  data_sync: (g) => new AccessToken.SyncGrant({ serviceSid: g.service_sid, endpointId: g.endpoint_id }),
  voice: (g) =>
    new AccessToken.VoiceGrant({
      incomingAllow: g.incoming?.allow,
      outgoingApplicationSid: g.outgoing?.application_sid,
      outgoingApplicationParams: g.outgoing?.params,
      pushCredentialSid: g.push_credential_sid,
      endpointId: g.endpoint_id,
    }),
  video: (g) => new AccessToken.VideoGrant({ room: g.room }),
  task_router: (g) => new AccessToken.TaskRouterGrant({ workspaceSid: g.workspace_sid, workerSid: g.worker_sid, role: g.role }),
  player: (g) => new AccessToken.PlaybackGrant({ grant: g }),
};

/** The token `examples/server` mints, signed instead by Twilio's helper library: the baseline. */
export function mintWithHelper(input) {
  const token = new AccessToken(input.accountSid, input.apiKeySid, input.apiSecret, {
    identity: input.identity,
    ttl: input.ttlSeconds,
    nbf: input.notBefore,
    region: input.region,
  });
  // In the input's key order, as ours writes them.
  for (const [key, grant] of Object.entries(input.grants)) {
    if (grant === undefined) continue;
    if (!GRANTS[key]) throw new Error(`no helper grant for ${key}`);
    token.addGrant(GRANTS[key](grant));
  }
  return token.toJwt();
}
