/**
 * The two ports the job API and Finalize reach AWS through. The cores take them as arguments; the
 * handler wires the Step Functions and S3 adapters (adapters/), the unit tests fakes.
 */
import type { JobExecutionInput, JobItem, JobSummary } from './job-contract';

/** An execution's status as Step Functions reports it. */
export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

/** A job's execution, as much of it as the API shows. */
export interface JobExecution {
  status: ExecutionStatus;
  /** The execution input (a job's own: {@link JobExecutionInput}). */
  input: Partial<JobExecutionInput>;
  /** The execution output once it SUCCEEDED: Finalize's `{ counts }`. */
  output?: unknown;
  startedAt: Date;
  stoppedAt?: Date;
}

/** The Map Run's progress while a job runs, in items. */
export interface JobProgress {
  total: number;
  /** Items in batches that ended: succeeded, failed, timed out or aborted. */
  done: number;
}

/** Where jobs run: the release job state machine. */
export interface JobEngine {
  /**
   * Starts the execution named `input.jobId`. `exists` when an execution of that name exists
   * already (Step Functions keeps names for 90 days after an execution ends).
   */
  start(input: JobExecutionInput): Promise<'started' | 'exists'>;
  /** The execution named `jobId`, or undefined when there is none. */
  describe(jobId: string): Promise<JobExecution | undefined>;
  /** The Map Run's item counts, or undefined before the Map Run exists. */
  progress(jobId: string): Promise<JobProgress | undefined>;
}

/** What reading an uploaded file found. */
export type UploadRead =
  | { status: 'missing' }
  | { status: 'tooLarge'; bytes: number }
  | { status: 'read'; text: string };

/** A presigned GET URL. */
export interface SignedUrl {
  url: string;
  expiresAt: Date;
}

/** The jobs bucket: uploads, a job's items, its stop marker, ResultWriter's files, the results. */
export interface JobFiles {
  /** An uploaded file (`uploads/...`) as UTF-8 text, unless it is missing or over `maxBytes`. */
  readUpload(key: string, maxBytes: number): Promise<UploadRead>;
  /**
   * Writes `jobs/<jobId>/items.json` only if it does not exist yet (a conditional write), so an
   * existing job's items are never replaced: `exists` when it was there already.
   */
  writeItems(jobId: string, items: JobItem[]): Promise<'written' | 'exists'>;
  /** Writes `jobs/<jobId>/stop` (the state machine reads it before each batch). */
  writeStopMarker(jobId: string): Promise<void>;
  hasStopMarker(jobId: string): Promise<boolean>;
  /** A JSON object of the jobs bucket (items, manifest, result files, summary), or undefined when absent. */
  readJson(key: string): Promise<unknown>;
  /** Writes `jobs/<jobId>/results.csv`, then `jobs/<jobId>/summary.json`. */
  writeResults(jobId: string, csv: string, summary: JobSummary): Promise<void>;
  /** A GET URL of `jobs/<jobId>/results.csv`, valid `ttlSeconds`. */
  resultsUrl(jobId: string, ttlSeconds: number): Promise<SignedUrl>;
}
