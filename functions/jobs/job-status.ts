/**
 * What `GET /release-jobs/{jobId}` shows: the job's status, its counts, and once finished a link
 * to its results. A function of (job id, ports).
 */
import { JobNotFoundError } from './errors';
import type { JobCounts, JobSummary } from './job-contract';
import { jobKeys } from './job-contract';
import type { ExecutionStatus, JobEngine, JobExecution, JobFiles } from './ports';

/** A job's status as the API shows it. */
export type JobStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** The body of a job's status answer. */
export interface JobView {
  jobId: string;
  status: JobStatus;
  dryRun: boolean;
  counts: JobCounts;
  startedAt: string;
  stoppedAt?: string;
  /** While running: a stop was asked for; the batches in flight are finishing. */
  stopping?: true;
  results?: { url: string; expiresAt: string; format: 'csv' };
}

export interface StatusPorts {
  engine: JobEngine;
  files: JobFiles;
  resultsUrlTtlSeconds: number;
}

/** Whether the execution is still going (or going again): the job is RUNNING whatever its marker says. */
export function isRunning(status: ExecutionStatus): boolean {
  return status === 'RUNNING' || status === 'PENDING_REDRIVE';
}

/**
 * The API's status for an execution's. A stopped job ends its execution SUCCEEDED (Finalize still
 * writes the results, the batches not run as JOB_STOPPED rows): the stop marker makes it ABORTED.
 * A timed-out execution is a FAILED job; one being redriven is running again.
 */
export function jobStatusOf(status: ExecutionStatus, stopMarker: boolean): JobStatus {
  switch (status) {
    case 'SUCCEEDED':
      return stopMarker ? 'ABORTED' : 'SUCCEEDED';
    case 'FAILED':
    case 'TIMED_OUT':
      return 'FAILED';
    case 'ABORTED':
      return 'ABORTED';
    default:
      return 'RUNNING';
  }
}

/**
 * The job's view. While it runs, `done` is the Map Run's progress (items in batches that ended)
 * and the outcome counts stay 0: they are known when Finalize has read every batch's result.
 *
 * @throws JobNotFoundError when no execution has this name
 */
export async function describeJob(jobId: string, ports: StatusPorts): Promise<JobView> {
  const execution = await ports.engine.describe(jobId);
  if (execution === undefined) throw new JobNotFoundError(`No job ${jobId}`);
  return viewOf(jobId, execution, ports);
}

/** The view of a job whose execution is already known. */
export async function viewOf(
  jobId: string,
  execution: JobExecution,
  ports: StatusPorts,
): Promise<JobView> {
  const running = isRunning(execution.status);
  const finalized = execution.status === 'SUCCEEDED';
  const stopMarker = running || finalized ? await ports.files.hasStopMarker(jobId) : false;
  const view: JobView = {
    jobId,
    status: jobStatusOf(execution.status, stopMarker),
    dryRun: execution.input.dryRun === true,
    counts: finalized
      ? await finalCounts(jobId, execution, ports.files)
      : await progressCounts(jobId, execution, ports.engine),
    startedAt: execution.startedAt.toISOString(),
    ...(execution.stoppedAt && { stoppedAt: execution.stoppedAt.toISOString() }),
    ...(running && stopMarker && { stopping: true as const }),
  };
  if (finalized) {
    const { url, expiresAt } = await ports.files.resultsUrl(jobId, ports.resultsUrlTtlSeconds);
    view.results = { url, expiresAt: expiresAt.toISOString(), format: 'csv' };
  }
  return view;
}

/** Counts before Finalize: the total, and the Map Run's items done. */
async function progressCounts(
  jobId: string,
  execution: JobExecution,
  engine: JobEngine,
): Promise<JobCounts> {
  const progress = await engine.progress(jobId);
  const total = typeof execution.input.total === 'number' ? execution.input.total : progress?.total;
  return { ...zeroCounts(total ?? 0), done: progress?.done ?? 0 };
}

/** Counts after Finalize: its output (the execution's), else the summary it wrote. */
async function finalCounts(
  jobId: string,
  execution: JobExecution,
  files: JobFiles,
): Promise<JobCounts> {
  const output = execution.output as { counts?: unknown } | undefined;
  if (isCounts(output?.counts)) return output.counts;
  const summary = (await files.readJson(jobKeys(jobId).summary)) as Partial<JobSummary> | undefined;
  if (isCounts(summary?.counts)) return summary.counts;
  return zeroCounts(typeof execution.input.total === 'number' ? execution.input.total : 0);
}

function zeroCounts(total: number): JobCounts {
  return {
    total,
    done: 0,
    released: 0,
    failed: 0,
    skipped: 0,
    wouldRelease: 0,
    alreadyReleased: 0,
  };
}

const COUNT_FIELDS = Object.keys(zeroCounts(0)) as (keyof JobCounts)[];

function isCounts(value: unknown): value is JobCounts {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return COUNT_FIELDS.every((field) => Number.isInteger(record[field]));
}
