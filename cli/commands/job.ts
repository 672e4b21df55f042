/**
 * `job start|status|wait|results|stop`: bulk release jobs on the job API. Up to 5,000 items are
 * sent inline; a bigger file (up to 100,000) is uploaded to the stack's jobs bucket under
 * `uploads/` and the job names it.
 */
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import type { OutputFlags, TargetFlags } from '../args';
import { hasKeywords, releaseRequest } from '../chunks';
import { CliError, configurationError, EXIT, usageError } from '../errors';
import { type Item, readItems } from '../input';
import { getJob, JOB_ID_PATTERN, type JobStatus, startJob, stopJob } from '../job-api';
import { progressMode, startProgress } from '../progress';
import { safeText } from '../redact';
import { note, printJson, say } from '../report';
import { csvLine } from '../results-csv';
import { stackOutput } from '../stack-outputs';
import { describeTally, emptyTally, type Tally } from '../tally';
import { checkTargetOptions, type HttpTarget, isLoopback, resolveHttpTarget } from '../target';
import { announceInput } from './common';
import { uploadItems } from './job-upload';

/** Items sent inline in the request; more are uploaded to the jobs bucket. */
export const MAX_INLINE_ITEMS = 5_000;
/** Most items a job takes. */
export const MAX_JOB_ITEMS = 100_000;

export interface JobStartFlags extends TargetFlags, OutputFlags {
  numbers?: string[];
  dryRun?: boolean;
  wait?: boolean;
  jobId?: string;
  confirmKeywordRelease?: boolean;
  skipConfigured?: boolean;
  interval: number;
}

/** `job start`: resolves with the exit code (that of `job wait` with --wait). */
export async function jobStartCommand(
  file: string | undefined,
  flags: JobStartFlags,
): Promise<number> {
  checkTargetOptions(flags);
  if (flags.jobId !== undefined && !JOB_ID_PATTERN.test(flags.jobId)) {
    throw usageError('--job-id: 1 to 80 letters, digits, _ or -');
  }
  const input = await readItems(file, flags.numbers);
  announceInput(input);
  const { items } = input;
  if (items.length > MAX_JOB_ITEMS)
    throw usageError(
      `${items.length} items: a job takes at most ${MAX_JOB_ITEMS.toLocaleString('en-US')}`,
    );
  if (hasKeywords(items) && !flags.dryRun && !flags.confirmKeywordRelease) {
    throw usageError(
      'keywords need --confirm-keyword-release: a released keyword cannot be bought back for a month (--dry-run to preview); nothing was sent',
    );
  }
  if (items.length > MAX_INLINE_ITEMS && !flags.stack) {
    throw usageError(
      `${items.length} items: more than ${MAX_INLINE_ITEMS.toLocaleString('en-US')} go through the jobs bucket, which needs --stack`,
    );
  }
  const target = await resolveHttpTarget(flags);
  const jobId = flags.jobId ?? newJobId();
  const settings = {
    dryRun: flags.dryRun,
    confirmKeywordRelease: flags.confirmKeywordRelease,
    skipConfigured: flags.skipConfigured,
  };
  const body =
    items.length > MAX_INLINE_ITEMS
      ? {
          source: { key: await upload(target, items, jobId) },
          ...releaseRequest([], settings),
          jobId,
        }
      : { ...releaseRequest(items, settings), jobId };
  const job = await startJob(target, body);
  if (flags.json && !flags.wait) printJson(job);
  else if (!flags.json) {
    say(
      job.created
        ? `Job ${job.jobId} started (${job.status}).`
        : `Job ${job.jobId} already exists for this same request (${job.status}): nothing new was started.`,
    );
  }
  if (flags.wait) return waitFor(target, job.jobId, flags);
  if (!flags.json)
    say(`Follow it: npx callfire-release job wait ${job.jobId} ${targetArgs(flags)}`);
  return EXIT.ok;
}

async function upload(target: HttpTarget, items: readonly Item[], jobId: string): Promise<string> {
  if (!target.stack) throw usageError('uploading a file needs --stack');
  const bucket = stackOutput(target.stack, 'JobsBucketName');
  const key = `uploads/${jobId}.csv`;
  const csv = [
    ['number', 'keyword', 'shortCode'],
    ...items.map((item) =>
      item.kind === 'number' ? [item.number] : [undefined, item.keyword, item.shortCode],
    ),
  ];
  await uploadItems(target.stack, bucket, key, csv.map((row) => csvLine(row)).join(''));
  note(`uploaded ${items.length} items to s3://${bucket}/${key}`);
  return key;
}

/** `job-<yyyymmddHHMMss>-<8 random [a-z0-9]>`, the time in UTC: the job API's own id shape. */
function newJobId(now = new Date()): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const suffix = Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `job-${stamp}-${suffix}`;
}

function targetArgs(flags: TargetFlags): string {
  if (flags.endpoint) return `--endpoint ${flags.endpoint}`;
  return [
    `--stack ${flags.stack}`,
    flags.region && `--region ${flags.region}`,
    flags.profile && `--profile ${flags.profile}`,
  ]
    .filter(Boolean)
    .join(' ');
}

export interface JobFlags extends TargetFlags, OutputFlags {
  interval: number;
  out?: string;
}

/** `job status`. */
export async function jobStatusCommand(jobId: string, flags: JobFlags): Promise<number> {
  checkTargetOptions(flags);
  const job = await getJob(await resolveHttpTarget(flags), jobId);
  if (flags.json) printJson(job);
  else say(describeJob(job));
  return EXIT.ok;
}

/** `job wait`: polls with a progress bar until the job is no longer RUNNING. */
export async function jobWaitCommand(jobId: string, flags: JobFlags): Promise<number> {
  checkTargetOptions(flags);
  return waitFor(await resolveHttpTarget(flags), jobId, flags);
}

async function waitFor(
  target: HttpTarget,
  jobId: string,
  flags: JobFlags | JobStartFlags,
): Promise<number> {
  let job = await getJob(target, jobId);
  const progress = startProgress({
    total: job.counts.total,
    dryRun: job.dryRun,
    mode: progressMode(flags.json === true),
    intervalMs: flags.progressInterval * 1000,
  });
  progress.update(tallyOf(job), job.counts.total);
  while (job.status === 'RUNNING') {
    await sleep(flags.interval * 1000);
    job = await getJob(target, jobId);
    progress.update(tallyOf(job), job.counts.total);
  }
  progress.stop();
  if (flags.json) printJson(job);
  else say(describeJob(job));
  return job.status === 'SUCCEEDED' && job.counts.failed === 0 ? EXIT.ok : EXIT.itemsFailed;
}

function tallyOf(job: JobStatus): Tally {
  const { done, released, wouldRelease, alreadyReleased, skipped, failed } = job.counts;
  return { ...emptyTally(), done, released, wouldRelease, alreadyReleased, skipped, failed };
}

function describeJob(job: JobStatus): string {
  const lines = [
    `Job ${job.jobId}: ${job.status}${job.dryRun ? ' (dry run)' : ''}`,
    `  ${job.counts.done}/${job.counts.total} items done: ${describeTally(tallyOf(job), job.dryRun)}`,
    `  started ${job.startedAt}${job.stoppedAt ? `, stopped ${job.stoppedAt}` : ''}`,
  ];
  if (job.results)
    lines.push(
      `  results: ready until ${job.results.expiresAt} (job results ${job.jobId} --out results.csv)`,
    );
  return lines.join('\n');
}

/** `job results`: downloads the job's results.csv from its presigned link (a plain GET). */
export async function jobResultsCommand(jobId: string, flags: JobFlags): Promise<number> {
  checkTargetOptions(flags);
  if (!flags.out) throw usageError('job results needs --out FILE');
  const job = await getJob(await resolveHttpTarget(flags), jobId);
  if (!job.results) {
    throw new CliError(
      `job ${jobId} has no results yet (${job.status})${job.status === 'RUNNING' ? `: job wait ${jobId} first` : ''}`,
      EXIT.itemsFailed,
    );
  }
  const text = await download(job.results.url);
  try {
    await writeFile(flags.out, text);
  } catch (error) {
    throw usageError(`cannot write ${flags.out} (${(error as NodeJS.ErrnoException).code})`);
  }
  const rows = countRows(text);
  if (flags.json)
    printJson({ jobId, status: job.status, out: flags.out, rows, counts: job.counts });
  else say(`Results of job ${jobId} (${job.status}): ${rows} rows written to ${flags.out}.`);
  return job.counts.failed === 0 ? EXIT.ok : EXIT.itemsFailed;
}

/** Rows of a CSV text, header excepted (a quoted field may hold line breaks). */
function countRows(text: string): number {
  try {
    return (parse(text, { columns: true, skip_empty_lines: true }) as unknown[]).length;
  } catch {
    throw new CliError('the results file is not a CSV file', EXIT.itemsFailed);
  }
}

/**
 * A GET of the presigned link, unsigned: the link carries its own signature. Never printed (its
 * query holds a credential and a signature), and only over https or to a loopback address.
 */
async function download(link: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw configurationError('the job API gave a results link that is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw configurationError(`refusing the results link: not https (${url.protocol}//${url.host})`);
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new CliError(
      `downloading the results failed (${code}) from ${url.host}`,
      EXIT.itemsFailed,
    );
  }
  const text = await response.text();
  if (response.status !== 200) {
    throw new CliError(
      `downloading the results: HTTP ${response.status} from ${url.host} (${safeText(text, 120)}); the link may have expired: run job results again`,
      EXIT.itemsFailed,
    );
  }
  return text;
}

/** `job stop`. */
export async function jobStopCommand(jobId: string, flags: JobFlags): Promise<number> {
  checkTargetOptions(flags);
  const stopped = await stopJob(await resolveHttpTarget(flags), jobId);
  if (flags.json) printJson({ jobId, ...stopped });
  else if (stopped.stopping)
    say(
      `Job ${jobId} is stopping: batches in flight finish, no new one starts (job wait ${jobId}).`,
    );
  else say(`Job ${jobId} had already finished (${stopped.status}).`);
  return EXIT.ok;
}
