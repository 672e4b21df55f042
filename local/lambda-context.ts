import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The account id of everything local. */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** The function name a local context reports unless told another. */
export const LOCAL_FUNCTION_NAME = 'callfire-release-local';

/** Options of {@link lambdaContext}. */
export interface LambdaContextOptions {
  /** Epoch milliseconds by which the invocation must end; wins over `timeoutMs`. */
  deadline?: number;
  /** The invocation's time from now; 60 s when neither this nor `deadline` is given. */
  timeoutMs?: number;
  functionName?: string;
  requestId?: string;
  memoryLimitInMB?: number;
}

/**
 * A Lambda context as the Node.js runtime builds it, whose clock runs: `getRemainingTimeInMillis`
 * counts down to the deadline like the real one, so deadline logic sees time pass. The one helper
 * for the dev server, the tests and the benchmarks (the legacy done/fail/succeed are no-ops).
 *
 * @example lambdaContext({ timeoutMs: 30_000 }).getRemainingTimeInMillis() // ≈ 30000
 */
export function lambdaContext(options: LambdaContextOptions = {}): Context {
  const functionName = options.functionName ?? LOCAL_FUNCTION_NAME;
  const deadline = options.deadline ?? Date.now() + (options.timeoutMs ?? 60_000);
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 512),
    awsRequestId: options.requestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
