import type { Context } from 'hono';

/** Most proxies `TRUST_PROXY_HOPS` may name: a longer chain is a mistake, not a deployment. */
export const MAX_TRUSTED_PROXY_HOPS = 10;

// What `@hono/node-server` puts in `c.env`, read without importing it, so this module also runs at the
// edge. Absent elsewhere (workerd, `app.request` in tests).
/** The Node socket's remote address under `@hono/node-server`, else `undefined`. */
export const nodeSocketAddress = (c: Context): string | undefined =>
  (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;

/**
 * The client's address behind `trustedHops` proxies of your own: each appends the address it was
 * reached from to `X-Forwarded-For`, so the right-most entries are the proxies' and the entry just left
 * of them is the client's. Anything further left the client wrote itself (a spoof), and is never read.
 * With 0 hops, or no header, the socket's address. Pure.
 */
export function forwardedClientAddress(forwardedFor: string | undefined, socketAddress: string | undefined, trustedHops: number): string | undefined {
  if (trustedHops <= 0 || !forwardedFor) return socketAddress;
  const entries = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return socketAddress;
  // Fewer entries than proxies: the request skipped one of them; the left-most is then the furthest known.
  return entries[Math.max(0, entries.length - trustedHops)];
}

/**
 * `clientAddress` for `createApp` behind `trustedHops` proxies (`TRUST_PROXY_HOPS`) under
 * `@hono/node-server`: the socket is the nearest proxy, `X-Forwarded-For` names the client.
 */
export const proxiedClientAddress =
  (trustedHops: number) =>
  (c: Context): string | undefined =>
    forwardedClientAddress(c.req.header('x-forwarded-for'), nodeSocketAddress(c), trustedHops);

/**
 * The key an address is counted under: an IPv4 address as it is (also when written IPv4-mapped,
 * `::ffff:1.2.3.4`), an IPv6 address by its /64 prefix, since one subscriber usually holds a whole /64
 * and would otherwise get a fresh limit per address. Anything else as given. Pure.
 */
export function addressBucket(address: string): string {
  let value = address.trim().toLowerCase();
  if (value.startsWith('[') && value.includes(']')) value = value.slice(1, value.indexOf(']'));
  value = value.replace(/%.*$/, ''); // a zone id (fe80::1%eth0)
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped) return mapped[1]!;
  if (!value.includes(':')) return value;
  const groups = expandIpv6(value);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : value;
}

// The eight 16-bit groups of an IPv6 address, or `undefined` if it is not one.
function expandIpv6(address: string): string[] | undefined {
  let text = address;
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => '0'), ...tail];
  if (groups.length !== 8 || !groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => group.replace(/^0+(?=.)/, ''));
}
