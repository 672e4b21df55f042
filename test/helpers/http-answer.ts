import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { expect } from 'vitest';
import { lambdaContext } from '../../local/lambda-context';
import type { BundledHandler } from './bundled-handler';

/** What the release function answers over HTTP, read back. */
export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  /** The body as sent. */
  raw: string;
  body: Record<string, unknown> & {
    summary?: Record<string, number>;
    results?: Array<
      Record<string, unknown> & { error?: { code: string; message: string; retryable: boolean } }
    >;
    errors?: Array<{ path: string; message: string }>;
    error?: { code: string; message: string };
    plan?: { hash: string; items?: Array<Record<string, unknown>> };
  };
}

/**
 * Invokes a bundled handler with an HTTP event and reads its answer, checking what every answer
 * carries whatever its status: JSON, and the Lambda request id in a header and in the body.
 */
export async function invokeHttp(
  handler: BundledHandler,
  event: unknown,
  timeoutMs = 60_000,
): Promise<HttpAnswer> {
  const context = lambdaContext({ timeoutMs });
  const answer = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  expect(answer.headers?.['content-type']).toBe('application/json');
  expect(answer.headers?.['x-lambda-request-id']).toBe(context.awsRequestId);
  const raw = answer.body ?? '';
  const body = JSON.parse(raw || '{}') as HttpAnswer['body'];
  expect(body.requestId).toBe(context.awsRequestId);
  return {
    statusCode: answer.statusCode ?? 0,
    headers: answer.headers as Record<string, string>,
    raw,
    body,
  };
}
