import type { RestHandler } from './fake-twilsock';

/**
 * Just enough of Twilio's REST answers (sent over twilsock) for the real Conversations and Chat clients
 * to finish starting: the client configuration, then the Sync objects it names (an empty user-info
 * map with its items and an empty conversation map), the user's conversation list and Sync's
 * subscription requests.
 *
 * Every one of them must be answered: Conversations 3.0.1 rethrows a failed conversation fetch from a
 * promise nobody awaits (`_conversationsPromise` in its client.js), an unhandled rejection that is the
 * SDK's defect, not this library's; seen here while the fake answered 404.
 */
export function conversationsRest(base: string, identity = 'alice'): RestHandler {
  return (request) => {
    if (request.path.endsWith('/Client/v2/Configuration') || request.path.endsWith('/Client/v1/Configuration')) {
      return {
        body: {
          identity,
          links: {
            my_conversations: `${base}/aim/v1/Users/${identity}/Conversations`,
            conversations: `${base}/aim/v1/Conversations`,
            users: `${base}/aim/v1/Users`,
            current_user: `${base}/aim/v1/Users/${identity}`,
            typing: `${base}/aim/v1/Indicators/Typing`,
            media_service: `${base}/mcs/v1/Services/IS00000000000000000000000000000001/Media`,
            media_set_service: `${base}/mcs/v1/Services/IS00000000000000000000000000000001/MediaSet`,
            messages_receipts: `${base}/aim/v1/Receipts`,
          },
          options: { consumption_report_interval: 'PT5S', reachability_enabled: false, user_infos_to_subscribe: 100 },
          sync_objects: { my_user_info: 'MY_USER_INFO', my_conversations: 'MY_CONVERSATIONS' },
        },
      };
    }
    // Sync's subscriptions: accepted; the fake never sends object events, so none is established.
    if (request.path.endsWith('/Subscriptions') && request.method === 'POST') return { body: { estimated_delivery_in_ms: 600_000, max_batch_size: 100 } };
    if (request.path.endsWith(`/Users/${identity}/Conversations`)) return { body: { conversations: [], meta: { next_token: null, previous_token: null } } };
    const syncObject = /^.*\/v3\/(Maps|Lists|Documents)\/([^/]+)(\/Items)?$/.exec(request.path);
    if (syncObject && request.method === 'GET') {
      const [, kind, id, items] = syncObject;
      const url = `${base}/v3/${kind}/${id}`;
      if (items) {
        // The user's info map holds one item per field (friendlyName, attributes, ...), asked for by key.
        const key = request.params?.Key;
        const item = { key, url: `${url}/Items/${String(key)}`, revision: '0', last_event_id: 0, date_updated: new Date(0).toISOString(), date_expires: null, data: { value: null } };
        return { body: { items: typeof key === 'string' ? [item] : [], meta: { previous_token: null, next_token: null } } };
      }
      return {
        body: {
          sid: `${kind === 'Maps' ? 'MP' : kind === 'Lists' ? 'ES' : 'ET'}${'0'.repeat(32)}`,
          unique_name: id,
          url,
          revision: '0',
          last_event_id: 0,
          date_updated: new Date(0).toISOString(),
          date_expires: null,
          data: {},
          links: { items: `${url}/Items` },
          items: [],
          meta: { previous_token: null, next_token: null },
        },
      };
    }
    return undefined;
  };
}
