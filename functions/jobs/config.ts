import { integer } from '../release/config';
import { ConfigurationError } from '../release/errors';

/** What Finalize needs: the bucket it reads and writes. */
export interface FilesConfig {
  jobsBucket: string;
}

/** The job API's settings, read from the environment once per container. */
export interface ApiConfig extends FilesConfig {
  stateMachineArn: string;
  /** Batches in flight at once, per job (each runs RELEASE_CONCURRENCY CallFire calls). */
  maxConcurrency: number;
  resultsUrlTtlSeconds: number;
}

// S3's bucket naming rules (3-63 lower-case letters, digits, dots, hyphens).
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const STATE_MACHINE_ARN_PATTERN =
  /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/**
 * Finalize's settings.
 *
 * @throws ConfigurationError naming the variable and what it must be
 */
export function readFilesConfig(env: NodeJS.ProcessEnv = process.env): FilesConfig {
  const jobsBucket = env.JOBS_BUCKET?.trim();
  if (!jobsBucket || !BUCKET_PATTERN.test(jobsBucket)) {
    throw new ConfigurationError(
      `JOBS_BUCKET must name the jobs bucket (an S3 bucket name); got "${(jobsBucket ?? '').slice(0, 80)}"`,
    );
  }
  return { jobsBucket };
}

/**
 * The job API's settings. A bad deploy is reported by name at the first request instead of as an
 * odd failure later.
 *
 * @throws ConfigurationError naming the variable and what it must be
 */
export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const stateMachineArn = env.RELEASE_JOB_STATE_MACHINE_ARN?.trim() ?? '';
  if (!STATE_MACHINE_ARN_PATTERN.test(stateMachineArn)) {
    throw new ConfigurationError(
      `RELEASE_JOB_STATE_MACHINE_ARN must be the release job state machine's ARN; got "${stateMachineArn.slice(0, 200)}"`,
    );
  }
  return {
    ...readFilesConfig(env),
    stateMachineArn,
    // 40: with RELEASE_CONCURRENCY 8 that is 320 CallFire calls in flight, far more than anyone
    // should ask of CallFire; the default 4 makes 32.
    maxConcurrency: integer(env, 'JOB_MAX_CONCURRENCY', 4, 1, 40),
    // At most an hour: the URL is signed with the function's temporary credentials, and stops
    // working when they expire, whatever it says.
    resultsUrlTtlSeconds: integer(env, 'RESULTS_URL_TTL_SECONDS', 900, 60, 3_600),
  };
}
