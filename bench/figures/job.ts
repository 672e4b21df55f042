/**
 * Figure 6, bulk job throughput: one job of the sandbox's 2,000 bulk numbers through the job API
 * and the local runner of the release job state machine, CallFire answering every call after
 * 50 ms, timed from the job's start to its execution's SUCCEEDED, in a fresh process
 * (bench/drivers/job.ts).
 */
import path from 'node:path';
import { firstReport, ROOT, runNode, type Servers } from '../lib/processes';
import { median } from '../lib/stats';

export const JOB_ITEMS = 2000;
export const JOB_LATENCY_MS = 50;
/** The deployed defaults: batches in flight per job, CallFire calls in flight per batch. */
export const JOB_MAX_CONCURRENCY = 4;
export const RELEASE_CONCURRENCY = 8;

export interface JobResult {
  items: number;
  latencyMs: number;
  jobMaxConcurrency: number;
  releaseConcurrency: number;
  /** batches in flight × calls in flight per batch / latency */
  idealItemsPerSecond: number;
  medianMs: number;
  itemsPerSecond: number;
  /** measured / ideal, percent */
  efficiency: number;
  wallMs: number[];
  warmupMs: number;
}

export async function measureJob(
  servers: Servers,
  options: { bundle: string; reps?: number },
): Promise<JobResult> {
  const run = await runNode(
    ['--import', 'tsx', path.join(ROOT, 'bench/drivers/job.ts')],
    servers.functionEnv({
      BENCH_BUNDLE: options.bundle,
      BENCH_JOB_ITEMS: String(JOB_ITEMS),
      BENCH_LATENCY_MS: String(JOB_LATENCY_MS),
      BENCH_REPS: String(options.reps ?? 3),
      JOB_MAX_CONCURRENCY: String(JOB_MAX_CONCURRENCY),
      RELEASE_CONCURRENCY: String(RELEASE_CONCURRENCY),
    }),
  );
  const { wallMs, warmupMs } = firstReport<{ wallMs: number[]; warmupMs: number }>(
    run,
    'job driver',
  );
  const idealItemsPerSecond = (JOB_MAX_CONCURRENCY * RELEASE_CONCURRENCY * 1000) / JOB_LATENCY_MS;
  const medianMs = median(wallMs);
  const itemsPerSecond = (1000 * JOB_ITEMS) / medianMs;
  return {
    items: JOB_ITEMS,
    latencyMs: JOB_LATENCY_MS,
    jobMaxConcurrency: JOB_MAX_CONCURRENCY,
    releaseConcurrency: RELEASE_CONCURRENCY,
    idealItemsPerSecond,
    medianMs,
    itemsPerSecond,
    efficiency: (100 * itemsPerSecond) / idealItemsPerSecond,
    wallMs,
    warmupMs,
  };
}
