/**
 * The HTTP events: API Gateway HTTP API and Lambda function URLs (payload 2.0), REST API (payload
 * 1.0). Recognises them and reduces either version to the parts the function acts on; no I/O.
 */
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithIAMAuthorizer,
} from 'aws-lambda';
import { InvalidRequestError } from '../errors';

export type HttpTriggerKind = 'http-api' | 'function-url' | 'rest-api';

/** API Gateway stops waiting at ~30 s (HTTP API) or 29 s (REST): answer well before. */
export const HTTP_BUDGET_MS = 25_000;

/**
 * The body as JSON: refused when empty, larger than `maxBytes` (413) or not JSON.
 *
 * @param what the request the body should hold, for the messages (`release request`)
 * @param tooLargeHint said after the size limit (what to do instead)
 */
export function parseJsonBody(
  body: string | null,
  options: { what: string; maxBytes: number; tooLargeHint?: string },
): unknown {
  const { what, maxBytes, tooLargeHint = '' } = options;
  if (body === null) {
    throw new InvalidRequestError([
      { path: '', message: `the body is empty: send the ${what} as JSON` },
    ]);
  }
  if (Buffer.byteLength(body, 'utf8') > maxBytes) {
    throw new InvalidRequestError(
      [{ path: '', message: `the body is larger than ${maxBytes / 1024} KB${tooLargeHint}` }],
      { tooLarge: true },
    );
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidRequestError([{ path: '', message: 'the body is not valid JSON' }]);
  }
}

/** Who called, as API Gateway or the function URL authenticated them (IAM auth only). */
export interface Caller {
  userArn?: string;
  callerId?: string;
  accountId?: string;
  sourceIp?: string;
}

/** The parts of an HTTP event the function acts on, whatever its payload version. */
export interface HttpRequest {
  kind: HttpTriggerKind;
  method: string;
  path: string;
  /** Decoded body, or null when there is none. */
  body: string | null;
  caller: Caller;
}

/**
 * Payload 2.0 (HTTP API, function URL): `version: '2.0'` with `requestContext.http` is set by both
 * and by nothing else. `rawPath` alone would not do: REST events have no `version` but some test
 * tools add `rawPath` to them.
 */
export function isPayloadV2(event: unknown): event is APIGatewayProxyEventV2 {
  const candidate = event as Partial<APIGatewayProxyEventV2> | null;
  return candidate?.version === '2.0' && typeof candidate.requestContext?.http?.method === 'string';
}

/**
 * Payload 1.0 (REST API, or an HTTP API set to 1.0): `httpMethod` plus an API Gateway
 * `requestContext` (which has `requestId`); an ALB event has `httpMethod` too, but its
 * `requestContext` holds only `elb`.
 */
export function isPayloadV1(event: unknown): event is APIGatewayProxyEvent {
  const candidate = event as Partial<APIGatewayProxyEvent> | null;
  return (
    typeof candidate?.httpMethod === 'string' &&
    typeof candidate.requestContext === 'object' &&
    candidate.requestContext !== null &&
    !('elb' in candidate.requestContext)
  );
}

/**
 * Extracts method, route path, decoded body and caller from either payload version. Written for
 * events as test tools make them too: any field beyond the recognisers' markers may be missing or
 * of another type, and that is a 400 naming it, never a TypeError.
 *
 * The path is the one the API routed, without a stage prefix: an HTTP API's `rawPath` includes a
 * named stage (`/prod/releases`), a REST API's `path` does not.
 *
 * @throws InvalidRequestError when the event has no path, or a body that is not text
 */
export function toHttpRequest(event: APIGatewayProxyEventV2 | APIGatewayProxyEvent): HttpRequest {
  const body = decodeBody(event.body, event.isBase64Encoded);
  if (isPayloadV2(event)) {
    const { http, domainName } = event.requestContext;
    const path = routePathV2(event, http.path);
    return {
      kind: domainName?.includes?.('.lambda-url.') ? 'function-url' : 'http-api',
      method: http.method.toUpperCase(),
      path: required(path, 'rawPath (or requestContext.http.path)'),
      body,
      caller: callerOfV2(event),
    };
  }
  // `resource` is the matched route unless it is a greedy proxy (`/{proxy+}`), then `path` is.
  const { resource, path } = event as Partial<APIGatewayProxyEvent>;
  const routed = text(resource) && !resource?.includes('{') ? resource : text(path);
  const identity = event.requestContext.identity;
  return {
    kind: 'rest-api',
    method: event.httpMethod.toUpperCase(),
    path: normalizePath(required(routed, 'path (or resource)')),
    body,
    caller: compact({
      userArn: identity?.userArn,
      callerId: identity?.caller,
      accountId: identity?.accountId,
      sourceIp: identity?.sourceIp,
    }),
  };
}

function callerOfV2(event: APIGatewayProxyEventV2): Caller {
  const iam = (event as APIGatewayProxyEventV2WithIAMAuthorizer).requestContext.authorizer?.iam;
  return compact({
    userArn: iam?.userArn,
    callerId: iam?.callerId,
    accountId: iam?.accountId,
    sourceIp: event.requestContext.http.sourceIp,
  });
}

function routePathV2(event: APIGatewayProxyEventV2, httpPath: unknown): string | undefined {
  // An explicit route ("POST /releases") is what API Gateway matched. `$default` and greedy routes
  // ("ANY /{proxy+}") match many paths, and a test tool may leave the route key out: then the
  // request's own path decides.
  const routeKey = text(event.routeKey);
  if (routeKey && routeKey !== '$default' && !routeKey.includes('{') && routeKey.includes(' /')) {
    return normalizePath(routeKey.slice(routeKey.indexOf(' ') + 1));
  }
  const rawPath = text(event.rawPath) ?? text(httpPath);
  if (rawPath === undefined) return undefined;
  const stage = text(event.requestContext.stage) ?? '$default';
  const stagePrefix = `/${stage}`;
  const path =
    stage !== '$default' && rawPath.startsWith(`${stagePrefix}/`)
      ? rawPath.slice(stagePrefix.length)
      : rawPath;
  return normalizePath(path);
}

function normalizePath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path || '/';
}

function required(value: string | undefined, what: string): string {
  if (value !== undefined) return value;
  throw new InvalidRequestError([{ path: '', message: `the HTTP event has no ${what}` }]);
}

function decodeBody(body: unknown, base64: unknown): string | null {
  if (body === undefined || body === null || body === '') return null;
  if (typeof body !== 'string') {
    throw new InvalidRequestError([
      {
        path: '',
        message: `the HTTP event's body is ${typeof body}, not text: send the request as JSON text`,
      },
    ]);
  }
  // Some test tools write the flag as a string.
  return base64 === true || base64 === 'true' ? Buffer.from(body, 'base64').toString('utf8') : body;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function compact(caller: { [K in keyof Caller]: string | null | undefined }): Caller {
  return Object.fromEntries(
    Object.entries(caller).filter(([, value]) => typeof value === 'string' && value !== ''),
  ) as Caller;
}
