/**
 * HTTP on 127.0.0.1 for the stand-ins: a server that closes promptly (`server.close()` alone would
 * wait for every keep-alive socket to time out and for every request a stand-in leaves unanswered
 * on purpose, stalling a test run for minutes), a capped body reader and a JSON writer.
 */

import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A listening loopback server. */
export interface LoopbackServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  /** Resolves true after `ms`, or false as soon as the server closes (no one left to answer). */
  wait(ms: number): Promise<boolean>;
  /** Stops listening and destroys every connection, idle or busy. */
  close(): Promise<void>;
}

/** A request handler; a rejected promise is answered with a 500 so no request is left hanging. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Starts `handler` on 127.0.0.1 at `port` (0 or absent: a free one). */
export async function listenOnLoopback(handler: RequestHandler, port = 0): Promise<LoopbackServer> {
  const server = createServer((request, response) => {
    handler(request, response).catch((error: unknown) => {
      process.stderr.write(`local server: unhandled error: ${error}\n`);
      if (response.headersSent) response.destroy();
      else response.writeHead(500).end('internal error in the local stand-in\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, '127.0.0.1', resolve);
  });
  const { port: boundPort } = server.address() as AddressInfo;
  const closed = new AbortController();
  // Every request waiting in wait() listens on it: a busy stand-in (a bulk job's batches) has
  // dozens at once, which is no leak.
  setMaxListeners(0, closed.signal);
  const closing = new Promise<void>((resolve) =>
    closed.signal.addEventListener('abort', () => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  );
  return {
    port: boundPort,
    origin: `http://127.0.0.1:${boundPort}`,
    wait: (ms) => sleep(ms, true, { signal: closed.signal }).catch(() => false),
    close: () => {
      closed.abort();
      return closing;
    },
  };
}

/**
 * The body as UTF-8 once the request has ended; `undefined` past `limitBytes` (a runaway client
 * must not exhaust memory; the socket stays usable for a 413) or when the client left mid-body.
 */
export function readRequestBody(request: IncomingMessage, limitBytes: number) {
  return new Promise<string | undefined>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
      else resolve(undefined); // and go on draining
    });
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('close', () => resolve(undefined));
  });
}

/** Writes a JSON answer; `headers` may override the content type. */
export function sendJson(response: ServerResponse, status: number, value: unknown, headers = {}) {
  const body = JSON.stringify(value);
  const length = Buffer.byteLength(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': length,
    ...headers,
  });
  response.end(body);
}
