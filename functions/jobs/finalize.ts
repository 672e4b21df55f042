/**
 * The state machine's last step: from what ResultWriter wrote to `jobs/<jobId>/results.csv` (one
 * row per item of the items file, in its order) and `jobs/<jobId>/summary.json`, and the counts
 * the execution ends with. A function of (input, ports).
 */
import type { ItemOutcome } from '../release/result';
import { BatchRows } from './batch-rows';
import { JobResultsError } from './errors';
import {
  type ChildExecutionRecord,
  type FinalizeInput,
  type FinalizeOutput,
  JOB_ID_PATTERN,
  type JobCounts,
  type JobItem,
  type JobSummary,
  jobKeys,
  type ResultFile,
} from './job-contract';
import type { JobFiles } from './ports';
import { type ResultRow, toCsv } from './results-csv';

export interface FinalizePorts {
  files: JobFiles;
  jobsBucket: string;
  now?: () => Date;
}

/**
 * Reads the items file, the manifest and every SUCCEEDED and FAILED result file it lists (PENDING
 * batches never ran: their items are found missing), writes the results and the summary.
 *
 * @throws JobResultsError when the input, the items file or the manifest is not what it must be
 */
export async function finalizeJob(
  event: unknown,
  ports: FinalizePorts,
): Promise<{ output: FinalizeOutput; summary: JobSummary }> {
  const input = finalizeInput(event, ports.jobsBucket);
  const keys = jobKeys(input.jobId);
  const items = jobItems(await ports.files.readJson(keys.items), keys.items);
  const resultFiles = manifestFiles(await ports.files.readJson(input.manifest.Key), input);
  const book = new BatchRows();
  for (const file of resultFiles) {
    const records = await ports.files.readJson(file.Key);
    // A listed file that cannot be read leaves its items without rows: NOT_PROCESSED below.
    if (!Array.isArray(records)) continue;
    for (const record of records as ChildExecutionRecord[]) book.add(record);
  }
  const { rows, notProcessed } = book.rowsFor(items);
  const counts = countRows(rows);
  const summary: JobSummary = {
    jobId: input.jobId,
    dryRun: input.dryRun,
    counts,
    batches: book.batches,
    notProcessed,
    resultsKey: keys.resultsCsv,
    finishedAt: (ports.now?.() ?? new Date()).toISOString(),
  };
  await ports.files.writeResults(input.jobId, toCsv(rows), summary);
  return { output: { counts }, summary };
}

/** Every item has a final outcome once Finalize ran: `done` is the total. */
export function countRows(rows: readonly ResultRow[]): JobCounts {
  const count = (outcome: ItemOutcome) => rows.filter((row) => row.outcome === outcome).length;
  return {
    total: rows.length,
    done: rows.length,
    released: count('released'),
    failed: count('failed'),
    skipped: count('skipped'),
    wouldRelease: count('wouldRelease'),
    alreadyReleased: count('alreadyReleased'),
  };
}

function finalizeInput(event: unknown, jobsBucket: string): FinalizeInput {
  const { jobId, dryRun, manifest } = (event ?? {}) as Partial<FinalizeInput>;
  if (typeof jobId !== 'string' || !JOB_ID_PATTERN.test(jobId) || typeof dryRun !== 'boolean') {
    throw new JobResultsError('Finalize needs { jobId, dryRun, manifest: { Bucket, Key } }');
  }
  // Only this job's files in the jobs bucket: the role could read nothing else anyway.
  if (manifest?.Bucket !== jobsBucket || !manifest.Key?.startsWith(jobKeys(jobId).prefix)) {
    throw new JobResultsError(
      `Finalize of job ${jobId}: the manifest must be under ${jobKeys(jobId).prefix} in the jobs bucket`,
    );
  }
  return { jobId, dryRun, manifest: { Bucket: manifest.Bucket, Key: manifest.Key } };
}

function jobItems(value: unknown, key: string): JobItem[] {
  if (!Array.isArray(value))
    throw new JobResultsError(`The items file ${key} is missing or not a JSON array`);
  return value as JobItem[];
}

/** The SUCCEEDED then FAILED files of the manifest, each one of this job's. */
function manifestFiles(value: unknown, input: FinalizeInput): ResultFile[] {
  const files = (value as { ResultFiles?: Record<string, unknown> } | undefined)?.ResultFiles;
  if (typeof files !== 'object' || files === null) {
    throw new JobResultsError(
      `The manifest ${input.manifest.Key} is missing or has no ResultFiles`,
    );
  }
  const listed = [files.SUCCEEDED, files.FAILED].flatMap((list) =>
    Array.isArray(list) ? list : [],
  );
  const prefix = jobKeys(input.jobId).prefix;
  return listed.filter(
    (file): file is ResultFile =>
      typeof (file as ResultFile | null)?.Key === 'string' &&
      (file as ResultFile).Key.startsWith(prefix),
  );
}
