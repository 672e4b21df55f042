import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { DefaultProviderInit } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

type FullChain = typeof import('@aws-sdk/credential-provider-node');

/**
 * Stands in for the AWS SDK's default credential chain (`@aws-sdk/credential-provider-node`) in the
 * Lambda bundles only (scripts/build.mjs): Lambda puts the function's credentials in the
 * environment, which is the chain's first link, so the other links (SSO, profiles, web identity,
 * container and instance metadata, with the STS and SSO clients they carry) are a fifth of the
 * bundle that a deployed function never reaches.
 *
 * Where the environment has no credentials, or names a profile (which the chain prefers over them),
 * the full chain is loaded from node_modules: running a bundle locally with a profile or SSO works
 * as before. The package name is passed at run time so esbuild leaves it out of the bundle.
 */
export function defaultProvider(init: DefaultProviderInit = {}): AwsCredentialIdentityProvider {
  return credentialChain(init, () => loadFullChain('@aws-sdk/credential-provider-node'));
}

/** {@link defaultProvider} with the way to the full chain given (a test's stands in for a missing one). */
export function credentialChain(
  init: DefaultProviderInit,
  fullChain: () => Promise<FullChain>,
): AwsCredentialIdentityProvider {
  let chain: Promise<AwsCredentialIdentityProvider> | undefined;
  return async (options) => {
    if (environmentHasCredentials(init)) return fromEnv(init)(options);
    chain ??= fullChain().then(
      (loaded) => loaded.defaultProvider(init),
      (error: unknown) => {
        // A deployed artifact has no node_modules: the environment is all there is.
        if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) {
          return fromEnv(init);
        }
        const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
        throw Object.assign(
          new Error(
            `No AWS credentials in the environment, and the full credential chain cannot be loaded here (${why})`,
          ),
          { name: 'CredentialsProviderError' },
        );
      },
    );
    return (await chain)(options);
  };
}

function environmentHasCredentials(init: DefaultProviderInit): boolean {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE } = process.env;
  return Boolean(AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY && !(init.profile ?? AWS_PROFILE));
}

function loadFullChain(name: string): Promise<FullChain> {
  return import(name) as Promise<FullChain>;
}
