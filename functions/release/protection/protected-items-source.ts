import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { failuresOf, REQUEST_TIMEOUTS, toAwsError } from '../aws-read-errors';
import { ConfigurationError } from '../errors';
import { NO_PROTECTED_ITEMS, type ProtectedList, parseProtectedList } from './protected-list';

/** The port the release core reads the protected items through. */
export interface ProtectedItemsSource {
  /** The current list, from the container's cache while it is fresh. */
  get(): Promise<ProtectedList>;
}

/** No list configured: nothing is protected. */
export const NO_PROTECTED_ITEMS_SOURCE: ProtectedItemsSource = {
  get: async () => NO_PROTECTED_ITEMS,
};

// A deployment to fix, named in words; anything else (throttling, 5xx, network) may pass.
const CONFIGURATION_FAILURES: Record<string, string> = {
  ParameterNotFound: 'was not found',
  AccessDeniedException:
    'cannot be read: access denied (check the function role allows ssm:GetParameter on it)',
  ParameterVersionNotFound: 'has no such version',
  ValidationException: 'cannot be read: the parameter name is not valid',
};

/**
 * Reads the protected-items list from an SSM Parameter Store parameter (type String) through
 * Powertools Parameters, cached per container for `ttlSeconds`. Fails closed: a list that is
 * missing, unreadable or has a bad line stops every release (ConfigurationError); an outage is a
 * DependencyUnavailableError. The SDK client honours `AWS_ENDPOINT_URL_SSM`.
 */
export function createProtectedItemsSource(options: {
  parameterName: string;
  ttlSeconds: number;
  client?: SSMClient;
}): ProtectedItemsSource {
  const { parameterName, ttlSeconds } = options;
  const client = options.client ?? new SSMClient({ requestHandler: REQUEST_TIMEOUTS });
  const provider = new SSMProvider({ awsSdkV3Client: client });
  let parsed: { raw: string; list: ProtectedList } | undefined;
  return {
    async get() {
      let raw: unknown;
      try {
        raw = await provider.get(parameterName, { maxAge: ttlSeconds });
      } catch (error) {
        throw toParameterError(error, parameterName);
      }
      if (typeof raw !== 'string') {
        throw new ConfigurationError(`Protected items parameter ${parameterName} has no value`);
      }
      if (parsed?.raw !== raw)
        parsed = { raw, list: parseProtectedList(raw, `parameter ${parameterName}`) };
      return parsed.list;
    },
  };
}

function toParameterError(error: unknown, parameterName: string): Error {
  return toAwsError(error, {
    service: 'SSM Parameter Store',
    endpointVariable: 'AWS_ENDPOINT_URL_SSM',
    doing: `reading protected items parameter ${parameterName} (nothing is released until it can be read)`,
    configurationFailures: failuresOf(
      `The protected items parameter ${parameterName}`,
      CONFIGURATION_FAILURES,
    ),
  });
}
