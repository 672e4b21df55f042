/**
 * The stand-ins the functions need locally, wired to each other: the CallFire sandbox, a Secrets
 * Manager holding the sandbox's API login as the credentials secret, a Parameter Store holding
 * the list of protected items, and for bulk jobs an S3 with the jobs bucket and a Step Functions
 * endpoint. `env` points the functions at them; `deployReleaseJob` makes the endpoint run jobs.
 */

import type { CallFireSandboxOptions } from './callfire-sandbox';
import { SANDBOX_CREDENTIALS, startCallFireSandbox } from './callfire-sandbox';
import { LOCAL_ACCOUNT_ID, LOCAL_FUNCTION_NAME } from './lambda-context';
import { createReleaseJobRunner, type LambdaHandler } from './release-job-runner';
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from './s3';
import { startLocalSecretsManager } from './secrets-manager';
import { startLocalSsm } from './ssm';
import { startLocalStepFunctions } from './step-functions';

/** The id of the credentials secret in the local Secrets Manager. */
export const LOCAL_SECRET_ID = 'callfire/local';
/** The parameter listing what the function must never release. */
export const LOCAL_PROTECTED_ITEMS_PARAMETER = '/callfire-release/local/protected-items';
/** Its value: a comment line, then one protected sandbox number. */
export const LOCAL_PROTECTED_ITEMS =
  '# Never released by this function: one number, keyword or shortCode/KEYWORD per line\n14255551213\n';

/** The jobs bucket in the local S3. */
export const LOCAL_JOBS_BUCKET = 'callfire-release-local-jobs';
const ARN = `us-east-1:${LOCAL_ACCOUNT_ID}`;
/** The release job state machine on the local Step Functions endpoint. */
const LOCAL_RELEASE_JOB_STATE_MACHINE_ARN = `arn:aws:states:${ARN}:stateMachine:callfire-release-local-release-job`;
/** The functions its Task states invoke (the definition's ReleaseFunctionArn, FinalizeFunctionArn). */
export const LOCAL_RELEASE_FUNCTION_ARN = `arn:aws:lambda:${ARN}:function:${LOCAL_FUNCTION_NAME}`;
export const LOCAL_FINALIZE_FUNCTION_ARN = `${LOCAL_RELEASE_FUNCTION_ARN}-finalize`;

/** Options of {@link startStandIns}. */
export interface StandInOptions {
  sandbox?: CallFireSandboxOptions;
}

/** The stand-ins, running: `startStandIns` resolves to this. */
export type StandIns = Awaited<ReturnType<typeof startStandIns>>;

/**
 * Starts the sandbox, a Secrets Manager whose secret {@link LOCAL_SECRET_ID} is the sandbox's
 * `{"username", "password"}`, a Parameter Store holding {@link LOCAL_PROTECTED_ITEMS}, and the
 * stand-ins of bulk jobs ({@link startJobStandIns}).
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
    const secretsManager = started(await startLocalSecretsManager({ secrets }));
    const parameters = { [LOCAL_PROTECTED_ITEMS_PARAMETER]: LOCAL_PROTECTED_ITEMS };
    const ssm = started(await startLocalSsm({ parameters }));
    const jobs = started(await startJobStandIns());
    const env = {
      CALLFIRE_SOAP_ENDPOINT: sandbox.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      CALLFIRE_SECRET_ID: LOCAL_SECRET_ID,
      PROTECTED_ITEMS_PARAMETER: LOCAL_PROTECTED_ITEMS_PARAMETER,
      ...jobs.env,
    };
    const { s3, stepFunctions, deployReleaseJob } = jobs;
    return { sandbox, secretsManager, ssm, s3, stepFunctions, env, deployReleaseJob, close };
  } catch (error) {
    await close(); // those already up
    throw error;
  }
}

/**
 * The stand-ins of bulk jobs alone: the local S3 holding the jobs bucket, and the Step Functions
 * endpoint. `env` points the job API at them; `deployReleaseJob` creates the release job state
 * machine there, its Task states invoking the given handlers (the bundles', loaded with the
 * environment complete). `retryDelayMs`: local/release-job-runner.ts.
 */
export async function startJobStandIns() {
  const s3 = await startLocalS3({ buckets: [LOCAL_JOBS_BUCKET] });
  const stepFunctions = await startLocalStepFunctions().catch(async (error: unknown) => {
    await s3.close();
    throw error;
  });
  const env = {
    JOBS_BUCKET: LOCAL_JOBS_BUCKET,
    RELEASE_JOB_STATE_MACHINE_ARN: LOCAL_RELEASE_JOB_STATE_MACHINE_ARN,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
    // The local S3 refuses any other key id; the other stand-ins take any signed request.
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
  };
  const deployReleaseJob = (
    functions: { release: LambdaHandler; finalize: LambdaHandler },
    retryDelayMs?: number,
  ) => {
    const runner = createReleaseJobRunner({
      substitutions: {
        JobsBucket: LOCAL_JOBS_BUCKET,
        ReleaseFunctionArn: LOCAL_RELEASE_FUNCTION_ARN,
        FinalizeFunctionArn: LOCAL_FINALIZE_FUNCTION_ARN,
      },
      functions: {
        [LOCAL_RELEASE_FUNCTION_ARN]: functions.release,
        [LOCAL_FINALIZE_FUNCTION_ARN]: functions.finalize,
      },
      s3: s3.client(),
      ...(retryDelayMs !== undefined && { retryDelayMs }),
    });
    stepFunctions.deploy(LOCAL_RELEASE_JOB_STATE_MACHINE_ARN, runner);
  };
  const close = async () => {
    await stepFunctions.close(); // its runs first: they write to the S3
    await s3.close();
  };
  return { s3, stepFunctions, env, deployReleaseJob, close };
}
