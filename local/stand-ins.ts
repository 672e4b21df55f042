/**
 * Starts the two stand-ins the function needs locally, wired to each other: the CallFire sandbox,
 * and a local Secrets Manager holding the sandbox's API login as the function's credentials secret.
 * `env` holds the variables that point the function at them.
 */

import {
  type CallFireSandbox,
  type CallFireSandboxOptions,
  SANDBOX_CREDENTIALS,
  startCallFireSandbox,
} from './callfire-sandbox';
import { type LocalSecretsManager, startLocalSecretsManager } from './secrets-manager';

/** The id of the credentials secret in the local Secrets Manager. */
export const LOCAL_SECRET_ID = 'callfire/local';

/** The environment that points the function at the stand-ins. */
export interface StandInEnvironment {
  CALLFIRE_SOAP_ENDPOINT: string;
  AWS_ENDPOINT_URL_SECRETS_MANAGER: string;
  CALLFIRE_SECRET_ID: string;
}

/** Both stand-ins, running. */
export interface StandIns {
  readonly sandbox: CallFireSandbox;
  readonly secretsManager: LocalSecretsManager;
  readonly env: StandInEnvironment;
  close(): Promise<void>;
}

/** Options of {@link startStandIns}. */
export interface StandInOptions {
  sandbox?: CallFireSandboxOptions;
  secretsManagerPort?: number;
}

/**
 * Starts the sandbox and a Secrets Manager whose secret {@link LOCAL_SECRET_ID} is
 * `{"username": ..., "password": ...}` with the sandbox's credentials.
 */
export async function startStandIns(options: StandInOptions = {}): Promise<StandIns> {
  const credentials = options.sandbox?.credentials ?? SANDBOX_CREDENTIALS;
  const sandbox = await startCallFireSandbox(options.sandbox);
  let secretsManager: LocalSecretsManager;
  try {
    secretsManager = await startLocalSecretsManager({
      ...(options.secretsManagerPort === undefined ? {} : { port: options.secretsManagerPort }),
      secrets: {
        [LOCAL_SECRET_ID]: JSON.stringify({
          username: credentials.username,
          password: credentials.password,
        }),
      },
    });
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return {
    sandbox,
    secretsManager,
    env: {
      CALLFIRE_SOAP_ENDPOINT: sandbox.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      CALLFIRE_SECRET_ID: LOCAL_SECRET_ID,
    },
    async close() {
      await Promise.all([sandbox.close(), secretsManager.close()]);
    },
  };
}
