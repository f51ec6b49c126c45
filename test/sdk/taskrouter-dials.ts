import { Socket } from 'node:net';

/**
 * Records the host of every TCP connection this process opens (http, ws and tls all go through
 * `net.Socket#connect`), so a test can prove an SDK dialled only loopback. Call the result to stop.
 */
export function recordDials(hosts: string[]): () => void {
  const connect = Socket.prototype.connect;
  Socket.prototype.connect = function (this: Socket, ...args: unknown[]) {
    const [first, second] = args;
    const options = (Array.isArray(first) ? first[0] : first) as { host?: string; path?: string } | number | string;
    if (typeof options === 'object' && options !== null) hosts.push(options.path ?? options.host ?? 'localhost');
    else if (typeof options === 'number') hosts.push(typeof second === 'string' ? second : 'localhost');
    else hosts.push(String(options)); // a path: an IPC socket
    return (connect as (...a: unknown[]) => Socket).apply(this, args);
  } as typeof connect;
  return () => {
    Socket.prototype.connect = connect;
  };
}
