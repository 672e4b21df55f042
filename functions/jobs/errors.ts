/**
 * The job API's own errors, in the style of the release function's (functions/release/errors.ts):
 * a literal `name` (the bundle is minified) and an HTTP meaning, so that the one mapper
 * (`errorResponse`) answers for them like for the release function's errors.
 */
import { type HttpMeaning, ReleaseFunctionError } from '../release/errors';

/** No job has this id (or the execution is older than Step Functions keeps them: 90 days). */
export class JobNotFoundError extends ReleaseFunctionError {
  override readonly name = 'JobNotFoundError';
  readonly http: HttpMeaning = { status: 404, code: 'JOB_NOT_FOUND', expose: true };
}

/** A job with this id exists and was started with another request (another requestDigest). */
export class JobExistsError extends ReleaseFunctionError {
  override readonly name = 'JobExistsError';
  readonly http: HttpMeaning;

  /** @param jobId the id asked for, returned so that a client can look at the existing job */
  constructor(message: string, jobId: string) {
    super(message);
    this.http = { status: 409, code: 'JOB_EXISTS', expose: true, details: { jobId } };
  }
}

/**
 * Finalize cannot make the results: its input is not what the state machine sends, or the items
 * file or the manifest is missing or malformed. The job's execution fails with this name.
 */
export class JobResultsError extends ReleaseFunctionError {
  override readonly name = 'JobResultsError';
  readonly http: HttpMeaning = { status: 500, code: 'JOB_RESULTS_ERROR', expose: false };
}
