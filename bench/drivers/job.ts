/**
 * Bulk job throughput child (figure 6; method in bench/README.md): both bundles, the local S3 and
 * Step Functions endpoint and the local runner in this process, CallFire (the sandbox) and Secrets
 * Manager in the servers' process. Run with `node --import tsx` (the local stand-ins are
 * TypeScript with npm dependencies; the loader only costs at load, before anything is timed).
 *
 * env: BENCH_SANDBOX_CONTROL, BENCH_LATENCY_MS (50), BENCH_JOB_ITEMS (2000), BENCH_REPS (3),
 *      JOB_MAX_CONCURRENCY, RELEASE_CONCURRENCY, and the functions' own variables.
 * Prints BENCH:{"items", "latencyMs", "jobMaxConcurrency", "releaseConcurrency", "wallMs": [...],
 *      "warmupMs"}.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildHttpApiEvent } from '../../local/http-api-dev-server';
import { lambdaContext } from '../../local/lambda-context';
import type { LambdaHandler } from '../../local/release-job-runner';
import { startJobStandIns } from '../../local/stand-ins';
import { bulkNumbers, report, run, setSandboxLatency } from './common';

type Bundle = { handler: LambdaHandler; finalize: LambdaHandler };
const ROOT = path.resolve(__dirname, '../..');

async function sandbox(route: string): Promise<void> {
  const response = await fetch(new URL(route, process.env.BENCH_SANDBOX_CONTROL), {
    method: 'POST',
  });
  if (!response.ok) throw new Error(`POST ${route}: HTTP ${response.status}`);
}

/** Starts a job of `numbers` through the job API; resolves once its execution SUCCEEDED. */
function createJobRunner(jobs: Bundle, stand: Awaited<ReturnType<typeof startJobStandIns>>) {
  let count = 0;
  return async (numbers: string[]): Promise<number> => {
    const jobId = `bench-${++count}`;
    const body = JSON.stringify({ jobId, numbers });
    const event = buildHttpApiEvent({ method: 'POST', url: '/release-jobs', headers: {}, body });
    const started = performance.now();
    const answer = (await jobs.handler(event, lambdaContext({ timeoutMs: 29_000 }))) as {
      statusCode: number;
    };
    if (answer.statusCode !== 202) throw new Error(`POST /release-jobs: HTTP ${answer.statusCode}`);
    const execution = [...stand.stepFunctions.executions.values()].find(
      (candidate) => candidate.name === jobId,
    );
    await execution?.closed;
    const wallMs = performance.now() - started;
    const counts = (JSON.parse(execution?.output ?? '{}') as { counts?: { released?: number } })
      .counts;
    if (execution?.status !== 'SUCCEEDED' || counts?.released !== numbers.length) {
      throw new Error(
        `job ${jobId}: ${execution?.status} ${execution?.error ?? ''} ${JSON.stringify(counts)}`,
      );
    }
    return wallMs;
  };
}

run(async () => {
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
  const items = Number(process.env.BENCH_JOB_ITEMS ?? 2000);
  const reps = Number(process.env.BENCH_REPS ?? 3);
  const stand = await startJobStandIns();
  Object.assign(process.env, stand.env);
  const load = createRequire(__filename);
  // The release bundle measured (BENCH_BUNDLE, as in figures 1-4); the job API's as built.
  const release = load(
    process.env.BENCH_BUNDLE ?? path.join(ROOT, 'dist/release/handler.js'),
  ) as Bundle;
  const jobs = load(path.join(ROOT, 'dist/jobs/handler.js')) as Bundle;
  stand.deployReleaseJob({ release: release.handler, finalize: jobs.finalize });
  const releaseJob = createJobRunner(jobs, stand);
  try {
    await sandbox('reset');
    const warmupMs = await releaseJob(bulkNumbers(100));
    const wallMs: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      await sandbox('reset'); // every number renewing again; the reset also zeroes the latency
      await setSandboxLatency(latencyMs);
      wallMs.push(await releaseJob(bulkNumbers(items)));
    }
    const jobMaxConcurrency = Number(process.env.JOB_MAX_CONCURRENCY);
    const releaseConcurrency = Number(process.env.RELEASE_CONCURRENCY);
    report({ items, latencyMs, jobMaxConcurrency, releaseConcurrency, wallMs, warmupMs });
  } finally {
    await setSandboxLatency(0);
    await stand.close();
  }
});
