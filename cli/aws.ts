/**
 * What the AWS side of the tool shares: the credentials (the SDK's node provider chain, with a
 * named profile), the region, and SDK errors turned into words and exit codes. The SDK clients
 * honour `AWS_ENDPOINT_URL_<SERVICE>` by themselves.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { CliError, configurationError, EXIT } from './errors';
import { safeText } from './redact';

/** `--region` and `--profile`, as given. */
export interface AwsOptions {
  region?: string | undefined;
  profile?: string | undefined;
}

type CredentialProvider = ReturnType<typeof fromNodeProviderChain>;
const providers = new Map<string, CredentialProvider>();

/** The node provider chain for `profile` (environment, SSO, shared files, …), one per profile. */
export function awsCredentials(profile: string | undefined): CredentialProvider {
  const key = profile ?? '';
  let provider = providers.get(key);
  if (!provider) {
    provider = fromNodeProviderChain(profile ? { profile } : {});
    providers.set(key, provider);
  }
  return provider;
}

/** The configuration every SDK client of the tool gets. */
export function clientConfig(options: AwsOptions) {
  return {
    ...(options.region && { region: options.region }),
    ...(options.profile && { profile: options.profile }),
    credentials: awsCredentials(options.profile),
  };
}

/** The parts of an SDK error the mapping reads. */
type SdkError = Error & {
  Code?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
};

const AUTH_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
]);

/**
 * An SDK failure as the operator should read it: missing credentials or region, a refusal, an
 * endpoint that cannot be reached. Exit 3 unless `usage` names the error as the operator's input.
 *
 * @param doing what was being done, such as `reading stack prod's outputs (DescribeStacks)`
 */
export function awsFailure(error: unknown, doing: string, options: AwsOptions = {}): CliError {
  if (error instanceof CliError) return error;
  const failure = error as SdkError;
  const name = failure?.name ?? 'Error';
  const message = safeText(failure?.message ?? String(error));
  const profile = options.profile ? ` (profile ${options.profile})` : '';
  if (name === 'CredentialsProviderError') {
    return configurationError(`no AWS credentials found${profile} while ${doing}: ${message}`);
  }
  if (/region is missing/i.test(message)) {
    return configurationError(
      `no AWS region${profile}: give --region, or set AWS_REGION or the profile's region`,
    );
  }
  const code = failure?.cause && (failure.cause as SdkError).code;
  if (code || failure?.code) {
    return configurationError(`cannot reach AWS while ${doing}: ${code ?? failure.code}`);
  }
  if (AUTH_ERRORS.has(name) || failure?.$metadata?.httpStatusCode === 403) {
    return configurationError(`AWS refused ${doing}${profile}: ${name}: ${message}`);
  }
  return new CliError(`AWS failed ${doing}: ${name}: ${message}`, EXIT.configuration);
}
