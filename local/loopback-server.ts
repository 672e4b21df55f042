/**
 * An HTTP server bound to 127.0.0.1 that can always be closed promptly.
 *
 * `server.close()` alone waits for every keep-alive socket to time out and for every request the
 * stand-ins deliberately leave unanswered ("hang" faults), so a test run would stall for seconds
 * or minutes. The server keeps track of its sockets and destroys them on close.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A listening loopback server. */
export interface LoopbackServer {
  readonly server: Server;
  readonly port: number;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  /** Stops listening and destroys every open connection, idle or not. */
  close(): Promise<void>;
}

/** A request handler; a rejected promise is answered with a 500 so no request is left hanging. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Starts `handler` on 127.0.0.1 at `port` (0 or absent: an ephemeral port). */
export async function listenOnLoopback(handler: RequestHandler, port = 0): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    handler(request, response).catch((error: unknown) => {
      process.stderr.write(`local server: unhandled error: ${String(error)}\n`);
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('internal error in the local stand-in\n');
      } else {
        response.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    server,
    port: boundPort,
    origin: `http://127.0.0.1:${boundPort}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
