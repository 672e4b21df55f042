// Bulk throughput child (figure 3), run by plain `node`, one fresh process per RELEASE_CONCURRENCY
// (the bundle reads it at load). Loads the bundle, warms it with one 100-number request at sandbox
// latency 0 (secret cached, keep-alive sockets open, code compiled), then sets the sandbox latency to
// BENCH_LATENCY_MS (50) through its control API and times BENCH_REPS direct invocations of 100
// numbers; puts the latency back to 0 before exiting.
//
// BENCH_BULK_MODE=raw runs the same 100 releases as raw node:http POSTs (common.mjs) with
// RELEASE_CONCURRENCY in flight instead, without the bundle: what this sandbox and machine allow.
//
// env: BENCH_BUNDLE, BENCH_SANDBOX_CONTROL, BENCH_LATENCY_MS, BENCH_REPS, RELEASE_CONCURRENCY, ...
// Prints BENCH:{"mode", "concurrency", "latencyMs", "wallMs": [...], "warmupMs"}.
import {
  bulkNumbers,
  createRawRelease,
  expectReleased,
  lambdaContext,
  loadHandler,
  report,
  run,
  setSandboxLatency,
  withConcurrency,
} from './common.mjs';

function createMode(mode, concurrency, numbers) {
  if (mode === 'raw') {
    const release = createRawRelease();
    return () => withConcurrency(numbers.length, concurrency, (index) => release(numbers[index]));
  }
  const handler = loadHandler();
  return async () => expectReleased(await handler({ numbers }, lambdaContext()), numbers.length);
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
