import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { MethodNotAllowedError, RouteNotFoundError } from '../errors';
import { parseReleaseRequest } from '../request';
import { errorResponse, type HttpResponse, resultResponse } from './http-answer';
import {
  HTTP_BUDGET_MS,
  type HttpRequest,
  isPayloadV1,
  isPayloadV2,
  parseJsonBody,
  toHttpRequest,
} from './http-event';
import type { Trigger } from './trigger';

/** The route this function serves. */
const RELEASE_ROUTE = { method: 'POST', path: '/releases' } as const;

/** Bodies larger than this are refused before they are parsed. */
const MAX_BODY_BYTES = 256 * 1024;

/** API Gateway HTTP API and function URLs (payload 2.0), REST API (payload 1.0): `POST /releases`. */
export const httpTrigger: Trigger<APIGatewayProxyEventV2 | APIGatewayProxyEvent> = {
  recognise: (event): event is APIGatewayProxyEventV2 | APIGatewayProxyEvent =>
    isPayloadV2(event) || isPayloadV1(event),

  async serve(event, invocation): Promise<HttpResponse> {
    const requestId = invocation.context.awsRequestId;
    // Named before the event is read: a malformed one is still logged as an HTTP request.
    invocation.tag({ trigger: isPayloadV2(event) ? 'http-api' : 'rest-api' });
    try {
      const http = toHttpRequest(event);
      invocation.tag({ trigger: http.kind, caller: http.caller });
      checkRoute(http);
      const body = parseJsonBody(http.body, { what: 'release request', maxBytes: MAX_BODY_BYTES });
      const request = parseReleaseRequest(body);
      return resultResponse(await invocation.release(request, HTTP_BUDGET_MS), requestId);
    } catch (error) {
      invocation.logFailure(error);
      return errorResponse(error, requestId);
    }
  },
};

function checkRoute(http: HttpRequest): void {
  const { method, path } = RELEASE_ROUTE;
  if (http.path !== path) {
    throw new RouteNotFoundError(`No route ${http.method} ${http.path}: use ${method} ${path}`);
  }
  if (http.method !== method)
    throw new MethodNotAllowedError(`${path} accepts ${method} only`, method);
}
