import type { Server } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';

/** Ends a fake WebSocket server at once: every socket cut, keep-alive connections dropped, then closed. */
export function closeWebSocketServer(
  server: Pick<Server, 'close' | 'closeAllConnections'>,
  wss: WebSocketServer,
  sockets: Iterable<WebSocket>,
): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const socket of sockets) socket.terminate();
    wss.close();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
