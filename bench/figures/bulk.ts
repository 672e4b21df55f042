/**
 * Figure 3, bulk throughput: 100 numbers in one request with the sandbox answering every call after
 * 50 ms, one fresh process (bench/drivers/bulk.ts) per RELEASE_CONCURRENCY.
 */

import { driver } from '../lib/drivers';
import { firstReport, runNode, type Servers } from '../lib/processes';
import { median } from '../lib/stats';

export const LATENCY_MS = 50;
export const ITEMS = 100;

export interface BulkPoint {
  /** `handler`: the bundle; `raw`: hand-built POSTs, the floor of this sandbox and machine. */
  mode: 'handler' | 'raw';
  concurrency: number;
  /** ceil(100 / concurrency) × 50 ms */
  idealMs: number;
  medianMs: number;
  /** ideal / median, percent */
  efficiency: number;
  wallMs: number[];
  warmupMs: number;
}

/** Repetitions per setting: fewer where one request takes seconds. */
function repsFor(concurrency: number): number {
  return concurrency <= 1 ? 2 : concurrency <= 4 ? 3 : 5;
}

export async function measureBulk(
  servers: Servers,
  options: { bundle: string; concurrencies: number[]; rawConcurrencies?: number[] },
): Promise<BulkPoint[]> {
  const points: BulkPoint[] = [];
  const settings = [
    ...options.concurrencies.map((concurrency) => ({ mode: 'handler' as const, concurrency })),
    ...(options.rawConcurrencies ?? []).map((concurrency) => ({
      mode: 'raw' as const,
      concurrency,
    })),
  ];
  for (const { mode, concurrency } of settings) {
    await servers.sandbox('POST', 'reset');
    const run = await runNode(
      [driver('bulk')],
      servers.functionEnv({
        BENCH_BUNDLE: options.bundle,
        BENCH_BULK_MODE: mode,
        RELEASE_CONCURRENCY: String(concurrency),
        BENCH_LATENCY_MS: String(LATENCY_MS),
        BENCH_REPS: String(repsFor(concurrency)),
      }),
    );
    const { wallMs, warmupMs } = firstReport<{ wallMs: number[]; warmupMs: number }>(
      run,
      'bulk driver',
    );
    const idealMs = Math.ceil(ITEMS / concurrency) * LATENCY_MS;
    const medianMs = median(wallMs);
    points.push({
      mode,
      concurrency,
      idealMs,
      medianMs,
      efficiency: (100 * idealMs) / medianMs,
      wallMs,
      warmupMs,
    });
  }
  await servers.sandbox('POST', 'reset');
  return points;
}
