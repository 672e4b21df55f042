import { ConfigurationError, DependencyUnavailableError } from './errors';

/** An AWS service the function reads its settings from, as errors name it. */
export interface AwsSource {
  /** `Secrets Manager`, `SSM Parameter Store`. */
  service: string;
  /** The variable that points the SDK at another endpoint, e.g. `AWS_ENDPOINT_URL_SSM`. */
  endpointVariable: string;
  /** What was being read, e.g. `secret prod/callfire` (said at the end of every message). */
  reading: string;
  /** The service's own error names that a deployment must fix, with the whole message for each. */
  configurationFailures: Record<string, string>;
}

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
 * What went wrong reading a setting from AWS, named in words: a deployment to fix
 * (ConfigurationError, HTTP 500) or an outage that may pass (DependencyUnavailableError, 503).
 * A missing region or missing credentials, and an endpoint someone set by hand that does not
 * answer, are deployment problems, not outages.
 */
export function toAwsReadError(error: unknown, source: AwsSource, env = process.env): Error {
  // Powertools wraps the SDK's error in GetParameterError and keeps it as `cause`.
  const cause = ((error as { cause?: unknown }).cause ?? error) as SdkError;
  const name = typeof cause?.name === 'string' ? cause.name : '';
  const known = source.configurationFailures[name];
  if (known) return new ConfigurationError(known, { cause });
  const setup = setupProblem(cause, name, source, env);
  if (setup) return new ConfigurationError(`${setup}, reading ${source.reading}`, { cause });
  const throttled = name === 'ThrottlingException' || name === 'TooManyRequestsException';
  const what = throttled ? 'is throttling requests' : `is unavailable (${outage(cause, name)})`;
  return new DependencyUnavailableError(`${source.service} ${what} reading ${source.reading}`, {
    cause,
    retryAfterSeconds: throttled ? 2 : 5,
  });
}

/**
 * A deployment problem behind an SDK error, in words: no credentials, no region, or an endpoint
 * set by hand (`endpointVariable` or `AWS_ENDPOINT_URL`) that cannot be reached.
 */
export function setupProblem(
  cause: SdkError,
  name: string,
  source: AwsSource,
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
export function outage(cause: SdkError, name: string): string {
  // The SDK reports an answer that is not the service's JSON (an HTML error page from a proxy)
  // as a SyntaxError from its parser: say what it was instead.
  if (name === 'SyntaxError') {
    return `HTTP ${cause.$metadata?.httpStatusCode ?? '?'} with an answer that is not its JSON`;
  }
  if (name === 'TimeoutError') return 'no answer in time';
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  return code ?? (name || 'unknown error');
}
