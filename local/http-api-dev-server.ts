/**
 * A local stand-in for an API Gateway HTTP API (`$default` route, payload format 2.0) in front of
 * Lambda functions, one per path prefix: each request becomes an event shaped as the real service
 * shapes it, plus a Lambda context; the result becomes the answer, with the gateway's own 500 (the
 * function threw or answered something unusable) and 503 (it outlived the 30 s integration
 * timeout).
 */

import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, lambdaContext } from './lambda-context';
import { listenOnLoopback, readRequestBody } from './loopback-server';

/** API Gateway's integration timeout: a function answering later gets a 503 from the gateway. */
export const HTTP_API_TIMEOUT_MS = 30_000;
/** API Gateway's payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** An async Lambda handler. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => unknown;

/**
 * An HTTP request as received: `url` is path and query as sent; header names in any case, arrays
 * for repeated headers (`headersDistinct`); `sourceIp` (127.0.0.1), `receivedAt` (now, epoch ms)
 * and `requestId` (random) when absent.
 */
export interface HttpRequestInput {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
  sourceIp?: string;
  receivedAt?: number;
  requestId?: string;
}

/**
 * The payload 2.0 event of `request`: lower-cased headers with repeats comma-joined, cookies moved
 * out of the headers, and `body` and query parameters present only when there are some.
 */
export function buildHttpApiEvent(request: HttpRequestInput): APIGatewayProxyEventV2 {
  const { method, url, sourceIp = '127.0.0.1', receivedAt = Date.now() } = request;
  const [rawPath = '/', rawQueryString = ''] = url.split(/\?(.*)/s);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value = []] of Object.entries(request.headers)) {
    const key = name.toLowerCase();
    const values = [headers[key] ?? [], value].flat();
    if (key === 'cookie') cookies.push(...values.flatMap((line) => line.split(/;\s*/)));
    else headers[key] = values.join(',');
  }
  // Added by API Gateway in front of every integration.
  headers['x-forwarded-for'] ??= sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  const [, day, month, year, time] = new Date(receivedAt).toUTCString().split(' ');
  const http = { method: method.toUpperCase(), path: rawPath, protocol: 'HTTP/1.1', sourceIp };
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(cookies.some(Boolean) && { cookies: cookies.filter(Boolean) }),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { ...http, userAgent: headers['user-agent'] ?? '' },
      requestId: request.requestId ?? randomBytes(10).toString('base64'),
      routeKey: '$default',
      stage: '$default',
      time: `${day}/${month}/${year}:${time} +0000`,
      timeEpoch: receivedAt,
    },
    ...(request.body && { body: request.body }),
    isBase64Encoded: false,
  };
}

/** An HTTP answer ready to write. */
type HttpAnswer = { statusCode: number; headers: Record<string, string | string[]>; body: Buffer };

/** API Gateway's answers when the integration fails, or outlives its timeout. */
const INTERNAL_SERVER_ERROR = jsonAnswer(500, { message: 'Internal Server Error' });
const SERVICE_UNAVAILABLE = jsonAnswer(503, { message: 'Service Unavailable' });
const PAYLOAD_TOO_LARGE = jsonAnswer(413, { message: 'Request Entity Too Large' });

/**
 * The answer for a handler's result, as payload format 2.0 reads it: a structured result
 * (`statusCode`, ...) as is; a string as the body and anything else as JSON, with status 200.
 */
function httpAnswerFromResult(result: unknown): HttpAnswer {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { ...jsonAnswer(200, null), body: Buffer.from(text) };
  }
  const structured = result as APIGatewayProxyStructuredResultV2;
  const { statusCode = 0, headers = {}, cookies = [], body = '', isBase64Encoded } = structured;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return INTERNAL_SERVER_ERROR;
  }
  const answer: HttpAnswer = {
    statusCode,
    headers: { 'set-cookie': cookies },
    body: Buffer.from(''),
  };
  for (const [name, value] of Object.entries(headers))
    answer.headers[name.toLowerCase()] = `${value}`;
  answer.body = Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
  return answer;
}

function jsonAnswer(statusCode: number, value: unknown): HttpAnswer {
  const body = Buffer.from(JSON.stringify(value));
  return { statusCode, headers: { 'content-type': 'application/json' }, body };
}

/** Options of {@link startHttpApiDevServer}: `timeoutMs` is API Gateway's 30 s when absent. */
export interface HttpApiDevServerOptions {
  /** The function behind every path no route names. */
  handler: HttpApiHandler;
  /** Other functions by path: `'/release-jobs'` serves that path and the paths under it. */
  routes?: Record<string, HttpApiHandler>;
  port?: number;
  timeoutMs?: number;
  /** Where handler errors are reported; stderr when absent. */
  onHandlerError?: (error: unknown) => void;
}

/** A running dev server at `url` (`http://127.0.0.1:<port>`). */
export type HttpApiDevServer = { readonly url: string; close(): Promise<void> };

/** Serves `handler` as an HTTP API `$default` route would. */
export async function startHttpApiDevServer(
  options: HttpApiDevServerOptions,
): Promise<HttpApiDevServer> {
  const { handler, timeoutMs = HTTP_API_TIMEOUT_MS } = options;
  const report =
    options.onHandlerError ??
    ((error) => process.stderr.write(`handler failed: ${(error as Error)?.stack ?? error}\n`));
  const server = await listenOnLoopback(async (request, response) => {
    const receivedAt = Date.now();
    const body = await readRequestBody(request, MAX_PAYLOAD_BYTES);
    if (body === undefined) return write(response, PAYLOAD_TOO_LARGE);
    const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const { method = 'GET', url = '/', headersDistinct: headers } = request;
    const input = { method, url, headers, body, sourceIp, receivedAt };
    const context = lambdaContext({ deadline: receivedAt + timeoutMs });
    const path = url.split('?')[0] ?? '';
    const routes = Object.entries(options.routes ?? {});
    const [, routed = handler] =
      routes.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`)) ?? [];
    // Unreferenced: a pending timeout must not keep the process alive.
    const timeout = sleep(timeoutMs, SERVICE_UNAVAILABLE, { ref: false });
    const run = Promise.resolve()
      .then(() => routed(buildHttpApiEvent(input), context))
      .then(httpAnswerFromResult, (error: unknown) => {
        report(error);
        return INTERNAL_SERVER_ERROR;
      });
    write(response, await Promise.race([run, timeout]));
  }, options.port);
  return { url: server.origin, close: () => server.close() };
}

function write(response: ServerResponse, { statusCode, headers, body }: HttpAnswer): void {
  if (response.destroyed) return;
  response.writeHead(statusCode, { ...headers, 'content-length': body.length });
  response.end(body);
}
