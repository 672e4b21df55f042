/**
 * In-memory fakes at the job API's two ports (functions/jobs/ports.ts): a Step Functions that
 * records executions by name, and a jobs bucket that is a map of keys to text. They behave as the
 * adapters promise (conditional items write, names kept once used), and record every call.
 */
import type { JobExecutionInput, JobItem, JobSummary } from '../../functions/jobs/job-contract';
import { jobKeys } from '../../functions/jobs/job-contract';
import type {
  JobEngine,
  JobExecution,
  JobFiles,
  JobProgress,
  SignedUrl,
  UploadRead,
} from '../../functions/jobs/ports';

export class FakeEngine implements JobEngine {
  readonly executions = new Map<string, JobExecution>();
  readonly progresses = new Map<string, JobProgress>();

  /** @param calls where calls are recorded: give the files' list too to see them in order */
  constructor(readonly calls: string[] = []) {}
  /** Called inside start(), before the name is checked: lets a test race another start. */
  beforeStart: ((input: JobExecutionInput) => void) | undefined;

  async start(input: JobExecutionInput): Promise<'started' | 'exists'> {
    this.calls.push(`start ${input.jobId}`);
    this.beforeStart?.(input);
    if (this.executions.has(input.jobId)) return 'exists';
    this.executions.set(input.jobId, {
      status: 'RUNNING',
      input: structuredClone(input),
      startedAt: new Date('2026-11-29T12:00:00Z'),
    });
    return 'started';
  }

  async describe(jobId: string): Promise<JobExecution | undefined> {
    this.calls.push(`describe ${jobId}`);
    return this.executions.get(jobId);
  }

  async progress(jobId: string): Promise<JobProgress | undefined> {
    this.calls.push(`progress ${jobId}`);
    return this.progresses.get(jobId);
  }

  /** Puts an execution in place as if it had been started with `input`. */
  seed(
    input: Partial<JobExecutionInput> & { jobId: string },
    execution: Partial<JobExecution> = {},
  ) {
    this.executions.set(input.jobId, {
      status: 'RUNNING',
      input,
      startedAt: new Date('2026-11-29T12:00:00Z'),
      ...execution,
    });
  }
}

export class FakeFiles implements JobFiles {
  readonly objects = new Map<string, string>();

  constructor(readonly calls: string[] = []) {}

  async readUpload(key: string, maxBytes: number): Promise<UploadRead> {
    this.calls.push(`readUpload ${key}`);
    const text = this.objects.get(key);
    if (text === undefined) return { status: 'missing' };
    const bytes = Buffer.byteLength(text, 'utf8');
    return bytes > maxBytes ? { status: 'tooLarge', bytes } : { status: 'read', text };
  }

  async writeItems(jobId: string, items: JobItem[]): Promise<'written' | 'exists'> {
    this.calls.push(`writeItems ${jobId}`);
    const key = jobKeys(jobId).items;
    if (this.objects.has(key)) return 'exists';
    this.objects.set(key, JSON.stringify(items));
    return 'written';
  }

  async writeStopMarker(jobId: string): Promise<void> {
    this.calls.push(`writeStopMarker ${jobId}`);
    this.objects.set(jobKeys(jobId).stop, '{}');
  }

  async hasStopMarker(jobId: string): Promise<boolean> {
    return this.objects.has(jobKeys(jobId).stop);
  }

  async readJson(key: string): Promise<unknown> {
    this.calls.push(`readJson ${key}`);
    const text = this.objects.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  async writeResults(jobId: string, csv: string, summary: JobSummary): Promise<void> {
    this.calls.push(`writeResults ${jobId}`);
    this.objects.set(jobKeys(jobId).resultsCsv, csv);
    this.objects.set(jobKeys(jobId).summary, JSON.stringify(summary));
  }

  async resultsUrl(jobId: string, ttlSeconds: number): Promise<SignedUrl> {
    return {
      url: `https://jobs.example/${jobKeys(jobId).resultsCsv}?ttl=${ttlSeconds}`,
      expiresAt: new Date(Date.parse('2026-11-29T12:00:00Z') + ttlSeconds * 1000),
    };
  }

  /** The items file of a job, parsed. */
  items(jobId: string): JobItem[] | undefined {
    const text = this.objects.get(jobKeys(jobId).items);
    return text === undefined ? undefined : (JSON.parse(text) as JobItem[]);
  }
}
