/**
 * `DELETE /release-jobs/{jobId}`: a cooperative stop. The stop marker makes every batch not yet
 * started end at once, unsent (its items become JOB_STOPPED rows); batches in flight finish, and
 * what they released stays released and shows in the results.
 */
import { JobNotFoundError } from './errors';
import { isRunning, type JobStatus, jobStatusOf } from './job-status';
import type { JobEngine, JobFiles } from './ports';

export interface StopAnswer {
  status: JobStatus;
  /** True when the stop marker was written now: the job is still finishing. */
  stopping: boolean;
}

/**
 * Writes the stop marker of a running job; a job already finished is left as it is (asking again
 * is harmless either way).
 *
 * @throws JobNotFoundError when no execution has this name
 */
export async function stopJob(
  jobId: string,
  ports: { engine: JobEngine; files: JobFiles },
): Promise<StopAnswer> {
  const execution = await ports.engine.describe(jobId);
  if (execution === undefined) throw new JobNotFoundError(`No job ${jobId}`);
  if (isRunning(execution.status)) {
    await ports.files.writeStopMarker(jobId);
    return { status: 'RUNNING', stopping: true };
  }
  const stopMarker = execution.status === 'SUCCEEDED' && (await ports.files.hasStopMarker(jobId));
  return { status: jobStatusOf(execution.status, stopMarker), stopping: false };
}
