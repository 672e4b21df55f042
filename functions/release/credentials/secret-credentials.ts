import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Credentials } from '../callfire/number-service';
import { ConfigurationError, DependencyUnavailableError } from '../errors';

/** The port the release core reads CallFire credentials through. */
export interface CredentialsSource {
  /** The current credentials, from the container's cache while it is fresh. */
  get(): Promise<Credentials>;
  /**
   * CallFire rejected `rejected`: read the secret afresh (it may have been rotated). Concurrent
   * callers holding the same stale credentials share one read; a caller whose credentials were
   * already replaced gets the new ones without another read.
   */
  refresh(rejected: Credentials): Promise<Credentials>;
}

// Whole-request failures from Secrets Manager that a deploy must fix; anything else (throttling,
// 5xx, network) may pass and becomes DependencyUnavailableError.
const CONFIGURATION_FAILURES: Record<string, string> = {
  ResourceNotFoundException: 'was not found',
  AccessDeniedException:
    'cannot be read: access denied (check the function role allows secretsmanager:GetSecretValue on it)',
  DecryptionFailure: 'cannot be decrypted with its KMS key (check kms:Decrypt)',
  InvalidRequestException: 'cannot be read now (is it scheduled for deletion?)',
  InvalidParameterException: 'cannot be read: the secret id is not valid',
};

/**
 * Reads `{"username","password"}` from a Secrets Manager secret through Powertools Parameters,
 * cached per container for `ttlSeconds`.
 *
 * The SDK client honours `AWS_ENDPOINT_URL_SECRETS_MANAGER`, which is how tests and `npm start`
 * point it at the local endpoint.
 */
export function createSecretCredentials(options: {
  secretId: string;
  ttlSeconds: number;
  client?: SecretsManagerClient;
}): CredentialsSource {
  const { secretId, ttlSeconds } = options;
  const client =
    options.client ??
    new SecretsManagerClient({
      // The SDK sets no request timeout by default, and without throwOnRequestTimeout its
      // requestTimeout only logs a warning: a hung connection must end and be retried. The whole
      // read is also cut short by the invocation's budget (release.ts).
      requestHandler: {
        connectionTimeout: 2_000,
        requestTimeout: 5_000,
        throwOnRequestTimeout: true,
      },
    });
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  let current: { raw: string; credentials: Credentials } | undefined;
  let refreshing: Promise<Credentials> | undefined;

  async function read(forceFetch: boolean): Promise<Credentials> {
    let raw: unknown;
    try {
      raw = await provider.get(secretId, { maxAge: ttlSeconds, forceFetch });
    } catch (error) {
      throw toSecretError(error, secretId);
    }
    if (typeof raw !== 'string') {
      throw new ConfigurationError(
        `Secret ${secretId} has no SecretString (binary secrets are not supported)`,
      );
    }
    if (current?.raw !== raw) current = { raw, credentials: parseCredentials(raw, secretId) };
    return current.credentials;
  }

  return {
    get: () => read(false),
    refresh(rejected) {
      if (current && current.credentials !== rejected) return Promise.resolve(current.credentials);
      refreshing ??= read(true).finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}

/**
 * Parses the SecretString. Error messages name the problem and the secret, never its content.
 */
export function parseCredentials(raw: string, secretId: string): Credentials {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(
      `Secret ${secretId} is not JSON: it must be {"username": "...", "password": "..."}`,
    );
  }
  const record =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const missing = ['username', 'password'].filter(
    (field) => typeof record[field] !== 'string' || record[field] === '',
  );
  if (missing.length > 0) {
    throw new ConfigurationError(
      `Secret ${secretId} lacks ${missing.join(' and ')}: it must be {"username": "...", "password": "..."}`,
    );
  }
  return { username: record.username as string, password: record.password as string };
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

/**
 * What went wrong reading the secret, named in words: a deployment to fix (ConfigurationError,
 * HTTP 500) or an outage that may pass (DependencyUnavailableError, 503). Missing region or
 * credentials are deployment problems, not outages.
 */
function toSecretError(
  error: unknown,
  secretId: string,
  env: NodeJS.ProcessEnv = process.env,
): Error {
  // Powertools wraps the SDK's error in GetParameterError and keeps it as `cause`.
  const cause = ((error as { cause?: unknown }).cause ?? error) as SdkError;
  const name = typeof cause?.name === 'string' ? cause.name : '';
  const problem = CONFIGURATION_FAILURES[name];
  if (problem) return new ConfigurationError(`Secret ${secretId} ${problem}`, { cause });
  const setup = setupProblem(cause, name, env);
  if (setup) return new ConfigurationError(`${setup}, reading secret ${secretId}`, { cause });
  const throttled = name === 'ThrottlingException' || name === 'TooManyRequestsException';
  const what = throttled ? 'is throttling requests' : `is unavailable (${outage(cause, name)})`;
  return new DependencyUnavailableError(`Secrets Manager ${what} reading secret ${secretId}`, {
    cause,
    retryAfterSeconds: throttled ? 2 : 5,
  });
}

interface SdkError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function setupProblem(cause: SdkError, name: string, env: NodeJS.ProcessEnv): string | undefined {
  if (name === 'CredentialsProviderError') {
    return 'no AWS credentials found (the function role, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile locally)';
  }
  if (typeof cause.message === 'string' && /^Region is missing/.test(cause.message)) {
    return 'AWS region is not set (AWS_REGION)';
  }
  // An endpoint someone set by hand that does not answer is their setting, not an AWS outage.
  const endpoint = env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? env.AWS_ENDPOINT_URL;
  const code = typeof cause.code === 'string' ? cause.code : '';
  if (endpoint && NETWORK_CODES.has(code)) {
    return `the Secrets Manager endpoint ${endpoint} (AWS_ENDPOINT_URL_SECRETS_MANAGER) cannot be reached (${code})`;
  }
  return undefined;
}

function outage(cause: SdkError, name: string): string {
  const status = cause.$metadata?.httpStatusCode;
  // The SDK reports an answer that is not Secrets Manager's JSON (an HTML error page from a proxy)
  // as a SyntaxError from its parser: say what it was instead.
  if (name === 'SyntaxError') return `HTTP ${status ?? '?'} with an answer that is not its JSON`;
  if (name === 'TimeoutError') return 'no answer in time';
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  return code ?? (name || 'unknown error');
}
