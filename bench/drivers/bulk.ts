/**
 * Bulk throughput child (figure 3; method in bench/README.md), one fresh process per
 * RELEASE_CONCURRENCY, which the bundle reads at load. BENCH_BULK_MODE=raw releases the same 100
 * numbers by raw POSTs (common.ts) instead of the bundle.
 *
 * env: BENCH_BUNDLE, BENCH_BULK_MODE, BENCH_SANDBOX_CONTROL, BENCH_LATENCY_MS (50), BENCH_REPS (3),
 *      RELEASE_CONCURRENCY, and the function's own variables.
 * Prints BENCH:{"mode", "concurrency", "latencyMs", "wallMs": [...], "warmupMs"}.
 */

import {
  benchContext,
  bulkNumbers,
  createRawRelease,
  expectReleased,
  loadHandler,
  report,
  run,
  setSandboxLatency,
  withConcurrency,
} from './common';

function createMode(mode: string, concurrency: number, numbers: string[]): () => Promise<void> {
  if (mode === 'raw') {
    const release = createRawRelease();
    return () =>
      withConcurrency(numbers.length, concurrency, (index) => release(numbers[index] ?? ''));
  }
  const handler = loadHandler();
  return async () => expectReleased(await handler({ numbers }, benchContext()), numbers.length);
}

run(async () => {
  const mode = process.env.BENCH_BULK_MODE ?? 'handler';
  const concurrency = Number(process.env.RELEASE_CONCURRENCY ?? 8);
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
  const reps = Number(process.env.BENCH_REPS ?? 3);
  const releaseAll = createMode(mode, concurrency, bulkNumbers(100));

  await setSandboxLatency(0);
  let started = performance.now();
  await releaseAll();
  const warmupMs = performance.now() - started;

  await setSandboxLatency(latencyMs);
  const wallMs = [];
  try {
    for (let rep = 0; rep < reps; rep++) {
      started = performance.now();
      await releaseAll();
      wallMs.push(performance.now() - started);
    }
  } finally {
    await setSandboxLatency(0);
  }
  report({ mode, concurrency, latencyMs, wallMs, warmupMs });
});
