import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda context whose clock runs: `getRemainingTimeInMillis` counts down from `timeoutMs`
 * like the real one, so deadline logic sees time pass.
 */
export function lambdaContext(options: { timeoutMs?: number; requestId?: string } = {}): Context {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'callfire-release-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:callfire-release-test',
    memoryLimitInMB: '512',
    awsRequestId: options.requestId ?? randomUUID(),
    logGroupName: '/aws/lambda/callfire-release-test',
    logStreamName: '2026/11/29/[$LATEST]test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
