/**
 * Request and response bodies for the stand-ins: a capped body reader (a runaway client must not
 * exhaust memory) and a JSON writer.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';

/** Thrown when a body exceeds the cap; the caller answers 413. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * Resolves with the body once the request has ended. Rejects with {@link BodyTooLargeError} past
 * `limitBytes`, or with the stream error when the client goes away mid-body.
 */
export function readRequestBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        request.off('data', onData);
        // Keep draining so the answer (413) can still be written on this socket.
        request.resume();
        reject(new BodyTooLargeError(`request body exceeds ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
    request.once('close', () => {
      if (!request.complete) reject(new Error('client closed the connection mid-body'));
    });
  });
}

/** Writes a JSON answer. */
export function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}
