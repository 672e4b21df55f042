/**
 * The HTTP events: API Gateway HTTP API and Lambda function URLs (payload 2.0), REST API (payload
 * 1.0). Recognises them and reduces either version to the parts the function acts on; no I/O.
 */
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithIAMAuthorizer,
} from 'aws-lambda';

export type HttpTriggerKind = 'http-api' | 'function-url' | 'rest-api';

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
 * Extracts method, route path, decoded body and caller from either payload version.
 *
 * The path is the one the API routed, without a stage prefix: an HTTP API's `rawPath` includes a
 * named stage (`/prod/releases`), a REST API's `path` does not.
 */
export function toHttpRequest(event: APIGatewayProxyEventV2 | APIGatewayProxyEvent): HttpRequest {
  if (isPayloadV2(event)) {
    const { http, stage, domainName } = event.requestContext;
    const iam = (event as APIGatewayProxyEventV2WithIAMAuthorizer).requestContext.authorizer?.iam;
    return {
      kind: domainName?.includes('.lambda-url.') ? 'function-url' : 'http-api',
      method: http.method.toUpperCase(),
      path: routePathV2(event.routeKey, event.rawPath ?? http.path, stage),
      body: decodeBody(event.body, event.isBase64Encoded),
      caller: compact({
        userArn: iam?.userArn,
        callerId: iam?.callerId,
        accountId: iam?.accountId,
        sourceIp: http.sourceIp,
      }),
    };
  }
  const identity = event.requestContext.identity;
  return {
    kind: 'rest-api',
    method: event.httpMethod.toUpperCase(),
    // `resource` is the matched route unless it is a greedy proxy (`/{proxy+}`), then `path` is.
    path: normalizePath(
      event.resource && !event.resource.includes('{') ? event.resource : event.path,
    ),
    body: decodeBody(event.body, event.isBase64Encoded),
    caller: compact({
      userArn: identity?.userArn,
      callerId: identity?.caller,
      accountId: identity?.accountId,
      sourceIp: identity?.sourceIp,
    }),
  };
}

function routePathV2(routeKey: string, rawPath: string, stage: string): string {
  // An explicit route ("POST /releases") is what API Gateway matched. `$default` and greedy routes
  // ("ANY /{proxy+}") match many paths: then the request's own path decides.
  if (routeKey !== '$default' && !routeKey.includes('{')) {
    return normalizePath(routeKey.slice(routeKey.indexOf(' ') + 1));
  }
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

function decodeBody(body: string | null | undefined, base64: boolean | undefined): string | null {
  if (body === undefined || body === null || body === '') return null;
  return base64 ? Buffer.from(body, 'base64').toString('utf8') : body;
}

function compact(caller: { [K in keyof Caller]: string | null | undefined }): Caller {
  return Object.fromEntries(
    Object.entries(caller).filter(([, value]) => typeof value === 'string' && value !== ''),
  ) as Caller;
}
