/**
 * The shapes a release job shares with the state machine (infra/release-job.asl.json), the release
 * function's Map batch trigger and the local runner: the jobs bucket's keys, the execution input,
 * the items file, what ResultWriter writes and what Finalize takes and gives back. Fixed: change
 * them together with those, never one side alone.
 */
import type { ItemResult } from '../release/result';

/** One item of a job, as the items file holds it: normalised, each distinct item once. */
export type JobItem = { number: string } | { keyword: string; shortCode?: string };

/** The flags a job's batches run with (the ItemBatcher's BatchInput, beside `jobId`). */
export interface JobFlags {
  dryRun: boolean;
  confirmKeywordRelease: boolean;
  skipConfigured: boolean;
}

/** The execution's input; its name is the job id. */
export interface JobExecutionInput extends JobFlags {
  jobId: string;
  /** `jobs/<jobId>/items.json`, read by the Map's ItemReader. */
  itemsKey: string;
  /** `jobs/<jobId>/map`: ResultWriter writes `<prefix>/<uuid>/manifest.json` and the files it lists. */
  resultsPrefix: string;
  /** Batches in flight at once (the Map's MaxConcurrencyPath). */
  maxConcurrency: number;
  /** Items in the items file. */
  total: number;
  /** SHA-256 (hex) of the normalised request: the items and the flags. */
  requestDigest: string;
  /** The uploaded file the items came from, when they did not come inline. */
  source?: string;
}

/** How many items ended how; `done` counts the items with a final outcome. */
export interface JobCounts {
  total: number;
  done: number;
  released: number;
  failed: number;
  skipped: number;
  wouldRelease: number;
  alreadyReleased: number;
}

/** Where ResultWriter put its manifest (the Map's `ResultWriterDetails`). */
export interface ManifestLocation {
  Bucket: string;
  Key: string;
}

/** Finalize's input, as the state machine's Finalize state builds it. */
export interface FinalizeInput {
  jobId: string;
  dryRun: boolean;
  manifest: ManifestLocation;
}

/** Finalize's output, which is also the execution's output. */
export interface FinalizeOutput {
  counts: JobCounts;
}

/** A file ResultWriter lists in its manifest. */
export interface ResultFile {
  Key: string;
  Size?: number;
}

/** ResultWriter's `manifest.json`. */
export interface ResultManifest {
  DestinationBucket: string;
  MapRunArn?: string;
  ResultFiles: { SUCCEEDED?: ResultFile[]; FAILED?: ResultFile[]; PENDING?: ResultFile[] };
}

/** One child execution (one batch) in a ResultWriter file. */
export interface ChildExecutionRecord {
  Name?: string;
  /** A JSON string: `{ Items, BatchInput }`. */
  Input?: string;
  /** A JSON string, on success: the release function's result, or `{ stopped: true }`. */
  Output?: string;
  Status: string;
  Error?: string;
  Cause?: string;
}

/** What a SUCCEEDED batch's Output holds when the release function ran it. */
export interface BatchResult {
  dryRun?: boolean;
  results: ItemResult[];
}

/** summary.json, written next to results.csv by Finalize. */
export interface JobSummary {
  jobId: string;
  dryRun: boolean;
  counts: JobCounts;
  /** Batches (child executions) in the result files, by what became of them. */
  batches: { succeeded: number; stopped: number; failed: number };
  /** Items that were in no batch of any result file (NOT_PROCESSED rows). */
  notProcessed: number;
  resultsKey: string;
  finishedAt: string;
}

/** 1 to 80 letters, digits, `_` or `-`: a valid Step Functions execution name and S3 key part. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** The keys of a job in the jobs bucket. */
export const jobKeys = (jobId: string) => ({
  prefix: `jobs/${jobId}/`,
  items: `jobs/${jobId}/items.json`,
  resultsPrefix: `jobs/${jobId}/map`,
  stop: `jobs/${jobId}/stop`,
  resultsCsv: `jobs/${jobId}/results.csv`,
  summary: `jobs/${jobId}/summary.json`,
});

/** Uploaded item files live under this prefix (the only one operators may write to). */
export const UPLOADS_PREFIX = 'uploads/';

/**
 * JSON that Step Functions hands back as a string (an execution's output, a batch's Input or
 * Output), or undefined when there is none or it does not parse.
 */
export function parseExecutionJson(text: string | undefined): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
