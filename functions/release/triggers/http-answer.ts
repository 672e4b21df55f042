import type { APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ReleaseFunctionError } from '../errors';
import type { ReleaseResult } from '../result';

/** An answer every HTTP event source accepts (payload 2.0 and 1.0 results alike). */
export type HttpResponse = APIGatewayProxyStructuredResultV2 & APIGatewayProxyResult;

/** A JSON answer that always carries the Lambda request id, in a header and in the body. */
export function jsonResponse(
  statusCode: number,
  requestId: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-lambda-request-id': requestId, ...headers },
    body: JSON.stringify({ requestId, ...body }),
    isBase64Encoded: false,
  };
}

/**
 * The one mapping from an error to an HTTP answer: a {@link ReleaseFunctionError} says its status,
 * code and headers; anything else is a generic 500 whose message only points at the logs (a raw
 * error's message may carry what the caller must not see).
 */
export function errorResponse(error: unknown, requestId: string): HttpResponse {
  if (!(error instanceof ReleaseFunctionError)) {
    return jsonResponse(500, requestId, {
      error: {
        code: 'INTERNAL_ERROR',
        message: `Internal error; the function's logs for request ${requestId} say more`,
      },
    });
  }
  const { status, code, expose, headers, details } = error.http;
  const message = expose
    ? error.message
    : `Request failed; the function's logs for request ${requestId} say more`;
  return jsonResponse(status, requestId, { error: { code, message }, ...details }, headers);
}

/** 200 when nothing failed, 207 when some items succeeded and some failed, 502 when none succeeded. */
export function resultResponse(result: ReleaseResult, requestId: string): HttpResponse {
  const { requested, failed } = result.summary;
  const status = failed === 0 ? 200 : failed < requested ? 207 : 502;
  return jsonResponse(status, requestId, { ...result });
}
