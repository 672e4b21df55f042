/**
 * A local stand-in for API Gateway's HTTP API in front of one Lambda function: every request
 * becomes a payload 2.0 event plus a Lambda context, and the function's result becomes the answer,
 * with the gateway's own 500 (function threw) and 503 (function outlived the 30 s integration
 * timeout) answers.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { buildHttpApiEvent, HTTP_API_TIMEOUT_MS } from './http-api-event';
import {
  type HttpAnswer,
  httpAnswerFromResult,
  INTERNAL_SERVER_ERROR,
  jsonAnswer,
  SERVICE_UNAVAILABLE,
} from './http-api-result';
import { BodyTooLargeError, readRequestBody } from './http-body';
import { lambdaContext } from './lambda-context';
import { type LoopbackServer, listenOnLoopback } from './loopback-server';

/** API Gateway's payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** A Lambda handler: async, or (legacy) answering through its third argument. */
export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

/** Options of {@link startHttpApiDevServer}. */
export interface HttpApiDevServerOptions {
  handler: HttpApiHandler;
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Integration timeout; API Gateway's 30 s when absent. */
  timeoutMs?: number;
  /** Where handler errors are reported; stderr when absent. */
  onHandlerError?: (error: unknown) => void;
}

/** A running dev server. */
export interface HttpApiDevServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `handler` the way an HTTP API `$default` route would. */
export async function startHttpApiDevServer(
  options: HttpApiDevServerOptions,
): Promise<HttpApiDevServer> {
  const timeoutMs = options.timeoutMs ?? HTTP_API_TIMEOUT_MS;
  const reportError =
    options.onHandlerError ??
    ((error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`handler failed: ${text}\n`);
    });

  const server: LoopbackServer = await listenOnLoopback(
    async (request: IncomingMessage, response: ServerResponse) => {
      const receivedAt = Date.now();
      let body: string;
      try {
        body = (await readRequestBody(request, MAX_PAYLOAD_BYTES)).toString('utf8');
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          write(response, jsonAnswer(413, { message: 'Request Entity Too Large' }));
        }
        return;
      }
      const event = buildHttpApiEvent({
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headersDistinct,
        body,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        receivedAt,
      });
      const context = lambdaContext({ deadline: receivedAt + timeoutMs });
      write(response, await invoke(options.handler, event, context, timeoutMs, reportError));
    },
    options.port ?? 0,
  );
  return { url: server.origin, close: () => server.close() };
}

async function invoke(
  handler: HttpApiHandler,
  event: APIGatewayProxyEventV2,
  context: Context,
  timeoutMs: number,
  reportError: (error: unknown) => void,
): Promise<HttpAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HttpAnswer>((resolve) => {
    timer = setTimeout(() => resolve(SERVICE_UNAVAILABLE), timeoutMs);
  });
  const run = new Promise<unknown>((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) =>
      error === undefined || error === null ? resolve(result) : reject(error);
    const returned = handler(event, context, callback);
    // An async handler answers through its promise; a callback-style one returns nothing.
    if (isPromiseLike(returned)) returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  }).then(httpAnswerFromResult, (error: unknown) => {
    reportError(error);
    return INTERNAL_SERVER_ERROR;
  });
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function write(response: ServerResponse, answer: HttpAnswer): void {
  if (response.destroyed) return;
  const headers: Record<string, string | string[]> = {
    ...answer.headers,
    'content-length': String(answer.body.length),
  };
  if (answer.cookies.length > 0) headers['set-cookie'] = answer.cookies;
  response.writeHead(answer.statusCode, headers);
  response.end(answer.body);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
