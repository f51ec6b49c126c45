/** The Twilio REST products the doctor asks. */
export type RestProduct = 'api' | 'conversations' | 'chat' | 'sync' | 'taskrouter';

/** The regions the doctor knows an edge for; others need `TWILIO_EDGE`. */
export const KNOWN_REGIONS = ['us1', 'ie1', 'au1'] as const;

// Twilio's documented default edge of each region (Regional API docs): a region is reached through an edge.
const DEFAULT_EDGE: Record<string, string> = { us1: 'ashburn', ie1: 'dublin', au1: 'sydney' };

/**
 * The host of a Twilio REST product in a region, as Twilio's helper libraries build it:
 * `{product}.twilio.com` for us1 with no edge given, else `{product}.{edge}.{region}.twilio.com`
 * (`api.dublin.ie1.twilio.com`), the edge defaulting to the region's own (ie1 → dublin, au1 → sydney).
 * A region with no known edge and none given is reached as `{product}.{region}.twilio.com`.
 */
export function twilioHost(product: RestProduct, region = 'us1', edge?: string): string {
  if (region === 'us1' && !edge) return `${product}.twilio.com`;
  const chosenEdge = edge ?? DEFAULT_EDGE[region];
  return chosenEdge ? `${product}.${chosenEdge}.${region}.twilio.com` : `${product}.${region}.twilio.com`;
}

/**
 * The URL of `path` on `host`: `https://{host}{path}`, or, with a base URL (`--base-url`,
 * `TWILIO_DOCTOR_BASE_URL`), `{base}{path}` for every product, where a `{host}` in the base is replaced by
 * the Twilio host the request would have gone to (so one local server can tell regions and products apart).
 */
export function restUrl(host: string, path: string, baseUrl?: string): string {
  if (!baseUrl) return `https://${host}${path}`;
  return `${baseUrl.replace(/\/+$/, '').split('{host}').join(host)}${path}`;
}
