/**
 * Turns what a Lambda function returned into the HTTP answer API Gateway (HTTP API, payload format
 * 2.0) would send: a structured `{ statusCode, headers, cookies, body, isBase64Encoded }` result is
 * taken as is; any other value is inferred, a string becoming the body and anything else its JSON,
 * with status 200 and content-type application/json.
 */

/** An HTTP answer ready to write. */
export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  /** One Set-Cookie header each. */
  cookies: string[];
  body: Buffer;
}

/** What API Gateway answers when the integration fails (throws, or returns a malformed result). */
export const INTERNAL_SERVER_ERROR: HttpAnswer = jsonAnswer(500, {
  message: 'Internal Server Error',
});
/** What API Gateway answers when the integration outlives its 30 s timeout. */
export const SERVICE_UNAVAILABLE: HttpAnswer = jsonAnswer(503, { message: 'Service Unavailable' });

/** The HTTP answer for a payload 2.0 handler result. */
export function httpAnswerFromResult(result: unknown): HttpAnswer {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    return structuredAnswer(result as Record<string, unknown>);
  }
  if (typeof result === 'string') {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(result),
    };
  }
  return jsonAnswer(200, result ?? null);
}

function structuredAnswer(result: Record<string, unknown>): HttpAnswer {
  const { statusCode, headers, cookies, body, isBase64Encoded } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return INTERNAL_SERVER_ERROR;
  }
  const answerHeaders: Record<string, string> = {};
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && value !== null) answerHeaders[name.toLowerCase()] = String(value);
    }
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: answerHeaders,
    cookies: Array.isArray(cookies) ? cookies.map(String) : [],
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text),
  };
}

/** A JSON answer, as API Gateway writes its own errors. */
export function jsonAnswer(statusCode: number, value: unknown): HttpAnswer {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify(value)),
  };
}
