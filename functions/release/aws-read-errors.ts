import { ConfigurationError, DependencyUnavailableError } from './errors';

/** One call to an AWS service, as errors name it. */
export interface AwsSource {
  /** `Secrets Manager`, `SSM Parameter Store`, `Amazon S3`. */
  service: string;
  /** The variable that points the SDK at another endpoint, e.g. `AWS_ENDPOINT_URL_SSM`. */
  endpointVariable: string;
  /** What was being done, said at the end of messages: `reading secret prod/callfire`. */
  doing: string;
  /** The service's own error names that a deployment must fix, with the whole message for each. */
  configurationFailures: Record<string, string>;
}

/**
 * The `configurationFailures` of a source: each problem said of `subject` (`Secret prod/callfire`,
 * `Amazon S3`), with `suffix` after it.
 */
export function failuresOf(
  subject: string,
  problems: Record<string, string>,
  suffix = '',
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(problems).map(([name, problem]) => [name, `${subject} ${problem}${suffix}`]),
  );
}

/** Throttling, as the services name it (S3 says SlowDown). */
const THROTTLED = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'SlowDown',
  'Throttling',
]);

/**
 * Settings for the SDK clients of this project: the SDK sets no request timeout by default, and
 * without throwOnRequestTimeout its requestTimeout only logs a warning. A hung connection must end
 * and be retried; the invocation's budget caps the whole call besides.
 */
export const REQUEST_TIMEOUTS = {
  connectionTimeout: 2_000,
  requestTimeout: 5_000,
  throwOnRequestTimeout: true,
} as const;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

/** The fields of an AWS SDK error the mapping reads (any of them may be missing). */
export interface SdkError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * What went wrong calling AWS, named in words: a deployment to fix (ConfigurationError, HTTP 500)
 * or an outage that may pass (DependencyUnavailableError, 503). A missing region or missing
 * credentials, and an endpoint someone set by hand that does not answer, are deployment problems,
 * not outages. The raw error is only kept as `cause`.
 */
export function toAwsError(error: unknown, source: AwsSource, env = process.env): Error {
  // Powertools wraps the SDK's error in GetParameterError and keeps it as `cause`.
  const cause = ((error as { cause?: unknown } | null)?.cause ?? error ?? {}) as SdkError;
  const name = typeof cause.name === 'string' ? cause.name : '';
  const known = source.configurationFailures[name];
  if (known) return new ConfigurationError(known, { cause });
  const setup = setupProblem(cause, name, source, env);
  if (setup) return new ConfigurationError(`${setup}, ${source.doing}`, { cause });
  const throttled = THROTTLED.has(name);
  const what = throttled ? 'is throttling requests' : `is unavailable (${outage(cause, name)})`;
  return new DependencyUnavailableError(`${source.service} ${what} ${source.doing}`, {
    cause,
    retryAfterSeconds: throttled ? 2 : 5,
  });
}

/**
 * A deployment problem behind an SDK error, in words: no credentials, no region, or an endpoint
 * set by hand (`endpointVariable` or `AWS_ENDPOINT_URL`) that cannot be reached.
 */
function setupProblem(
  cause: SdkError,
  name: string,
  source: Pick<AwsSource, 'service' | 'endpointVariable'>,
  env: NodeJS.ProcessEnv,
): string | undefined {
  if (name === 'CredentialsProviderError') {
    return 'no AWS credentials found (the function role, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile locally)';
  }
  if (typeof cause.message === 'string' && /^Region is missing/.test(cause.message)) {
    return 'AWS region is not set (AWS_REGION)';
  }
  const endpoint = env[source.endpointVariable] ?? env.AWS_ENDPOINT_URL;
  const code = typeof cause.code === 'string' ? cause.code : '';
  if (endpoint && NETWORK_CODES.has(code)) {
    return `the ${source.service} endpoint ${endpoint} (${source.endpointVariable}) cannot be reached (${code})`;
  }
  return undefined;
}

/** What an outage looked like, in a few words: `no answer in time`, `ECONNRESET`, `HTTP 502 with…`. */
function outage(cause: SdkError, name: string): string {
  // The SDK reports an answer that is not the service's JSON (an HTML error page from a proxy)
  // as a SyntaxError from its parser: say what it was instead.
  if (name === 'SyntaxError') {
    return `HTTP ${cause.$metadata?.httpStatusCode ?? '?'} with an answer that is not its JSON`;
  }
  // TimeoutError: the SDK's own timeout; AbortError: the invocation's budget ran out.
  if (name === 'TimeoutError' || name === 'AbortError') return 'no answer in time';
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  return code ?? (name || 'unknown error');
}
