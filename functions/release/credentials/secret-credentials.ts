import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { failuresOf, REQUEST_TIMEOUTS, toAwsError } from '../aws-read-errors';
import type { Credentials } from '../callfire/number-service';
import { ConfigurationError } from '../errors';

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
  const client = options.client ?? new SecretsManagerClient({ requestHandler: REQUEST_TIMEOUTS });
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
function parseCredentials(raw: string, secretId: string): Credentials {
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

function toSecretError(error: unknown, secretId: string): Error {
  return toAwsError(error, {
    service: 'Secrets Manager',
    endpointVariable: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    doing: `reading secret ${secretId}`,
    configurationFailures: failuresOf(`Secret ${secretId}`, CONFIGURATION_FAILURES),
  });
}
