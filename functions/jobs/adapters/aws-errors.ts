/**
 * An AWS SDK error as the job API's callers and logs should see it, with the release function's
 * reading of such errors (functions/release/aws-read-errors.ts): a deployment to fix
 * (ConfigurationError, 500) or an outage that may pass (DependencyUnavailableError, 503). The raw
 * error is only kept as `cause`.
 */
import { outage, type SdkError, setupProblem } from '../../release/aws-read-errors';
import { ConfigurationError, DependencyUnavailableError } from '../../release/errors';

/** One call to an AWS service, as errors name it. */
export interface AwsCall {
  /** `Step Functions`, `Amazon S3`. */
  service: string;
  /** The variable that points the SDK at another endpoint: `AWS_ENDPOINT_URL_SFN`. */
  endpointVariable: string;
  /** What was being done, ending every message: `starting execution job-1`. */
  doing: string;
  /** The service's error names a deployment must fix, with what they mean. */
  configurationFailures: Record<string, string>;
}

const THROTTLED = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'SlowDown',
  'Throttling',
]);

export function toAwsError(error: unknown, call: AwsCall, env = process.env): Error {
  const cause = (error ?? {}) as SdkError;
  const name = typeof cause.name === 'string' ? cause.name : '';
  const known = call.configurationFailures[name];
  if (known) return new ConfigurationError(`${call.service} ${known}, ${call.doing}`, { cause });
  const source = { ...call, reading: call.doing };
  const setup = setupProblem(cause, name, source, env);
  if (setup) return new ConfigurationError(`${setup}, ${call.doing}`, { cause });
  const throttled = THROTTLED.has(name);
  // The invocation's time budget ran out (its abort signal fired): no answer in time.
  const what = throttled
    ? 'is throttling requests'
    : `is unavailable (${name === 'AbortError' ? 'no answer in time' : outage(cause, name)})`;
  return new DependencyUnavailableError(`${call.service} ${what}, ${call.doing}`, {
    cause,
    retryAfterSeconds: throttled ? 2 : 5,
  });
}

/** The SDK error's name, for the few a caller handles itself (a missing key, an existing name). */
export function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

/** The HTTP status of the answer behind an SDK error, if there was one. */
export function httpStatus(error: unknown): number | undefined {
  return (error as SdkError | null)?.$metadata?.httpStatusCode;
}
