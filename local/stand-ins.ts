/**
 * The stand-ins the function needs locally, wired to each other: the CallFire sandbox, a Secrets
 * Manager holding the sandbox's API login as the credentials secret, and a Parameter Store holding
 * the list of protected items. `env` points the function at them.
 */

import type { CallFireSandboxOptions } from './callfire-sandbox';
import { SANDBOX_CREDENTIALS, startCallFireSandbox } from './callfire-sandbox';
import { startLocalSecretsManager } from './secrets-manager';
import { startLocalSsm } from './ssm';

/** The id of the credentials secret in the local Secrets Manager. */
export const LOCAL_SECRET_ID = 'callfire/local';
/** The parameter listing what the function must never release. */
export const LOCAL_PROTECTED_ITEMS_PARAMETER = '/callfire-release/local/protected-items';
/** Its value: a comment line, then one protected sandbox number. */
export const LOCAL_PROTECTED_ITEMS =
  '# Never released by this function: one number, keyword or shortCode/KEYWORD per line\n14255551213\n';

/** Options of {@link startStandIns}. */
export interface StandInOptions {
  sandbox?: CallFireSandboxOptions;
  secretsManagerPort?: number;
  ssmPort?: number;
}

/** The stand-ins, running: `startStandIns` resolves to this. */
export type StandIns = Awaited<ReturnType<typeof startStandIns>>;

/**
 * Starts the sandbox, a Secrets Manager whose secret {@link LOCAL_SECRET_ID} is the sandbox's
 * `{"username", "password"}`, and a Parameter Store holding {@link LOCAL_PROTECTED_ITEMS}.
 */
export async function startStandIns(options: StandInOptions = {}) {
  const { username, password } = options.sandbox?.credentials ?? SANDBOX_CREDENTIALS;
  const running: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    await Promise.all(running.map((standIn) => standIn.close()));
  };
  const started = <T extends { close(): Promise<void> }>(standIn: T) => {
    running.push(standIn);
    return standIn;
  };
  try {
    const sandbox = started(await startCallFireSandbox(options.sandbox));
    const secrets = { [LOCAL_SECRET_ID]: JSON.stringify({ username, password }) };
    const secretsManager = started(
      await startLocalSecretsManager({ port: options.secretsManagerPort, secrets }),
    );
    const parameters = { [LOCAL_PROTECTED_ITEMS_PARAMETER]: LOCAL_PROTECTED_ITEMS };
    const ssm = started(await startLocalSsm({ port: options.ssmPort, parameters }));
    const env = {
      CALLFIRE_SOAP_ENDPOINT: sandbox.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      CALLFIRE_SECRET_ID: LOCAL_SECRET_ID,
      PROTECTED_ITEMS_PARAMETER: LOCAL_PROTECTED_ITEMS_PARAMETER,
    };
    return { sandbox, secretsManager, ssm, env, close };
  } catch (error) {
    await close(); // those already up
    throw error;
  }
}
