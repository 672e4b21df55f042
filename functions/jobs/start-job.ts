/**
 * `POST /release-jobs`: validate the whole list, write it as the job's items file, start the
 * execution. Nothing starts unless every item is valid. A repeated `jobId` with the same request
 * is the existing job (200); with another request it is a conflict (409).
 */
import { InvalidRequestError, type RequestIssue } from '../release/errors';
import { JobExistsError } from './errors';
import { type JobExecutionInput, type JobFlags, type JobItem, jobKeys } from './job-contract';
import { newJobId } from './job-id';
import { type ItemList, listIssues } from './job-items';
import { inlineItems, type JobRequest, parseJobRequest, requestDigest } from './job-request';
import { type JobView, type StatusPorts, viewOf } from './job-status';
import type { JobExecution } from './ports';
import { itemsFromFile, MAX_UPLOAD_BYTES } from './source-file';

export interface StartPorts extends StatusPorts {
  maxConcurrency: number;
  now?: () => Date;
}

/** A job started now, or the job this request had already started. */
export type StartOutcome =
  | { outcome: 'started'; input: JobExecutionInput; duplicatesMerged: number }
  | { outcome: 'existing'; view: JobView };

/**
 * @throws InvalidRequestError (400, or 413 over the limits) listing what is wrong; nothing started
 * @throws JobExistsError when `jobId` names a job started with another request
 */
export async function startJob(body: unknown, ports: StartPorts): Promise<StartOutcome> {
  const request = parseJobRequest(body);
  const list = await validItems(request, ports);
  const flags: JobFlags = {
    dryRun: request.dryRun,
    confirmKeywordRelease: request.confirmKeywordRelease,
    skipConfigured: request.skipConfigured,
  };
  const jobId = request.jobId ?? newJobId(ports.now?.());
  const keys = jobKeys(jobId);
  const input: JobExecutionInput = {
    jobId,
    itemsKey: keys.items,
    resultsPrefix: keys.resultsPrefix,
    ...flags,
    maxConcurrency: ports.maxConcurrency,
    total: list.items.length,
    requestDigest: requestDigest(list.items, flags),
    ...(request.source && { source: request.source.key }),
  };
  // Looked up before anything is written: an existing job's items are never touched.
  const existing = await ports.engine.describe(jobId);
  if (existing) return theSameJob(jobId, existing, input.requestDigest, ports);
  if ((await ports.files.writeItems(jobId, list.items)) === 'exists') {
    await checkStoredItems(jobId, list.items, input.requestDigest, ports);
  }
  if ((await ports.engine.start(input)) === 'exists') {
    // Another request started this id between the look-up and now.
    const raced = await ports.engine.describe(jobId);
    if (raced) return theSameJob(jobId, raced, input.requestDigest, ports);
    throw new JobExistsError(`Job ${jobId} exists; ask for its status`, jobId);
  }
  return { outcome: 'started', input, duplicatesMerged: list.duplicatesMerged };
}

/** The items inline or from the uploaded file, every problem listed. */
async function validItems(request: JobRequest, ports: StartPorts): Promise<ItemList> {
  const issues: RequestIssue[] = [];
  let list: ItemList;
  if (request.source) {
    const { key, format } = request.source;
    const read = await ports.files.readUpload(key, MAX_UPLOAD_BYTES);
    if (read.status === 'missing') {
      throw new InvalidRequestError([
        { path: 'source.key', message: `no file ${key} in the jobs bucket: upload it first` },
      ]);
    }
    if (read.status === 'tooLarge') {
      const message = `the file is ${read.bytes} bytes; at most ${MAX_UPLOAD_BYTES} (16 MiB)`;
      throw new InvalidRequestError([{ path: 'source.key', message }], { tooLarge: true });
    }
    list = itemsFromFile(read.text, format, issues);
  } else {
    list = inlineItems(request.inline ?? { numbers: [], keywords: [] }, issues);
  }
  if (issues.length === 0) issues.push(...listIssues(list, request));
  if (issues.length > 0) {
    throw new InvalidRequestError(issues, request.source ? { source: request.source.key } : {});
  }
  return list;
}

async function theSameJob(
  jobId: string,
  execution: JobExecution,
  digest: string,
  ports: StatusPorts,
): Promise<StartOutcome> {
  if (execution.input.requestDigest !== digest) {
    throw new JobExistsError(
      `Job ${jobId} exists and was started with another request (other items or flags): choose another jobId, or leave it out to get a new one`,
      jobId,
    );
  }
  return { outcome: 'existing', view: await viewOf(jobId, execution, ports) };
}

/**
 * The items file was there before this request wrote it: another request with this id is being
 * started, or one did not get as far as starting. The same items may go on; other items may not
 * replace them.
 */
async function checkStoredItems(
  jobId: string,
  items: JobItem[],
  digest: string,
  ports: StartPorts,
): Promise<void> {
  const stored = await ports.files.readJson(jobKeys(jobId).items);
  if (JSON.stringify(stored) === JSON.stringify(items)) return;
  const execution = await ports.engine.describe(jobId);
  if (execution && execution.input.requestDigest === digest) return;
  throw new JobExistsError(
    `Job ${jobId} already has other items (another request with this jobId): choose another jobId`,
    jobId,
  );
}
