/**
 * Builds what AWS hands a Lambda function behind an API Gateway HTTP API: the payload format 2.0
 * event, shaped as the real services shape them (lower-cased headers with
 * duplicates comma-joined, cookies moved out of the headers, `body` absent when empty, query
 * parameters only when there is a query string). Used by the dev server and reusable by tests.
 */

import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './lambda-context';

/** API Gateway's integration timeout: a function answering later gets a 503 from the gateway. */
export const HTTP_API_TIMEOUT_MS = 30_000;

/** An HTTP request as received, before API Gateway's translation. */
export interface HttpRequestInput {
  method: string;
  /** Path and query string as sent, e.g. `/releases?dryRun=true`. */
  url: string;
  /**
   * Header values by name, any case. Arrays are repeated headers (node's
   * `IncomingMessage.headersDistinct` gives exactly this).
   */
  headers: Record<string, string | string[] | undefined>;
  /** UTF-8 body; empty or absent means no `body` key in the event. */
  body?: string;
  /** Client address; `127.0.0.1` when absent. */
  sourceIp?: string;
  /** Arrival time, epoch milliseconds; now when absent. */
  receivedAt?: number;
  /** `requestContext.requestId`; random when absent. */
  requestId?: string;
}

/** The HTTP API payload format 2.0 event for `request` on the `$default` route and stage. */
export function buildHttpApiEvent(request: HttpRequestInput): APIGatewayProxyEventV2 {
  const receivedAt = request.receivedAt ?? Date.now();
  const questionMark = request.url.indexOf('?');
  const rawPath = questionMark === -1 ? request.url : request.url.slice(0, questionMark);
  const rawQueryString = questionMark === -1 ? '' : request.url.slice(questionMark + 1);
  const sourceIp = request.sourceIp ?? '127.0.0.1';

  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    const lowerName = name.toLowerCase();
    if (lowerName === 'cookie') {
      // Payload 2.0 moves cookies to their own array and drops the header.
      cookies = [...(cookies ?? []), ...values.flatMap((line) => line.split(/;\s*/))].filter(
        (cookie) => cookie !== '',
      );
      continue;
    }
    headers[lowerName] =
      headers[lowerName] === undefined
        ? values.join(',')
        : `${headers[lowerName]},${values.join(',')}`;
  }
  // Added by API Gateway in front of every integration.
  headers['x-forwarded-for'] ??= sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-amzn-trace-id'] ??= traceId(receivedAt);

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId ?? apiGatewayRequestId(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(receivedAt),
      timeEpoch: receivedAt,
    },
    isBase64Encoded: false,
  };
  if (cookies !== undefined && cookies.length > 0) event.cookies = cookies;
  const query = queryParameters(rawQueryString);
  if (query !== undefined) event.queryStringParameters = query;
  if (request.body !== undefined && request.body !== '') event.body = request.body;
  return event;
}

/** Query parameters as payload 2.0 has them: decoded, repeated keys comma-joined. */
function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    parameters[key] = parameters[key] === undefined ? value : `${parameters[key]},${value}`;
  }
  return Object.keys(parameters).length === 0 ? undefined : parameters;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `requestContext.time` format: `12/Mar/2020:19:03:58 +0000`. */
function clfTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** API Gateway's request ids look like `JKJaXmPLvHcESHA=`. */
function apiGatewayRequestId(): string {
  return randomBytes(10).toString('base64');
}

function traceId(epochMs: number): string {
  return `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}
