/**
 * Bulk jobs on the embedded defaults, as `npm start` runs them: the BUILT bundles behind the
 * local HTTP API (`/release-jobs` to dist/jobs/handler.js), the release job state machine
 * (infra/release-job.asl.json) run by the local runner on the local Step Functions endpoint, the
 * local S3, and the CallFire sandbox, Secrets Manager and Parameter Store stand-ins. Nothing is
 * mocked: the real SDK clients and `soap` over loopback sockets.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../functions/release/retry';
import { BULK_NUMBER_FIRST } from '../../local/callfire-default-account';
import { type HttpApiDevServer, startHttpApiDevServer } from '../../local/http-api-dev-server';
import { LOCAL_JOBS_BUCKET, type StandIns, startStandIns } from '../../local/stand-ins';
import { captureOutput, loadBundledHandler, loadJobsBundle } from '../helpers/bundled-handler';

let standIns: StandIns;
let server: HttpApiDevServer;
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  output = captureOutput();
  standIns = await startStandIns();
  const env = { ...standIns.env, POWERTOOLS_METRICS_DISABLED: 'true', JOB_MAX_CONCURRENCY: '4' };
  const release = loadBundledHandler(env);
  const jobs = loadJobsBundle(env);
  // 10 ms between the Step Functions retries of a batch (5 s and 10 s with jitter on AWS).
  standIns.deployReleaseJob({ release, finalize: jobs.finalize }, 10);
  server = await startHttpApiDevServer({
    handler: release,
    routes: { '/release-jobs': jobs.handler },
  });
  output = captureOutput();
});

afterAll(async () => {
  output?.restore();
  await server?.close();
  await standIns?.close();
});

beforeEach(() => {
  standIns.sandbox.reset();
});

interface JobAnswer {
  jobId: string;
  status: string;
  counts: Record<string, number>;
  results?: { url: string };
  error?: { code: string };
}

async function api(method: string, path: string, body?: unknown) {
  const init = body === undefined ? {} : { body: JSON.stringify(body) };
  const response = await fetch(`${server.url}${path}`, { method, ...init });
  return { status: response.status, body: (await response.json()) as JobAnswer };
}

/** Polls the job until it is no longer RUNNING. */
async function finished(jobId: string): Promise<JobAnswer> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    const { body } = await api('GET', `/release-jobs/${jobId}`);
    if (body.status !== 'RUNNING') return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} still running after 20 s`);
}

/** The job's results.csv, downloaded from the presigned URL its status gives. */
async function resultRows(job: JobAnswer): Promise<Record<string, string>[]> {
  const download = await fetch(job.results?.url ?? 'about:blank');
  expect(download.status).toBe(200);
  return parse(await download.text(), { columns: true }) as Record<string, string>[];
}

const bulk = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, at) => String(BULK_NUMBER_FIRST + offset + at));
const releasesOf = (number: string) =>
  standIns.sandbox.calls.filter((call) => call.operation === 'Release' && call.number === number);

describe('a bulk job on the local stand-ins', () => {
  it('ends SUCCEEDED with exact counts and one CSV row per item, injected faults included', async () => {
    // Prepare: 300 bulk numbers (3 of them UNAVAILABLE once, 1 always), 5 unknown numbers, the
    // protected number and a keyword
    const numbers = [...bulk(300), ...bulk(5).map((number) => `1999${number.slice(4)}`)];
    const fault = { type: 'fault', code: 'UNAVAILABLE' } as const;
    for (const target of bulk(3, 10)) standIns.sandbox.injectFault({ fault, target, times: 1 });
    const always = bulk(1, 150)[0] as string;
    standIns.sandbox.injectFault({ fault, target: always, times: Infinity });
    const request = { numbers: [...numbers, '14255551213'], keywords: ['VANILLA'] };

    // Act
    const started = await api('POST', '/release-jobs', {
      ...request,
      jobId: 'job-faults',
      confirmKeywordRelease: true,
    });
    const job = await finished('job-faults');

    // Assess
    expect(started.status).toBe(202);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.counts).toEqual({
      total: 307,
      done: 307,
      released: 300,
      failed: 6,
      skipped: 1,
      wouldRelease: 0,
      alreadyReleased: 0,
    });
    const rows = await resultRows(job);
    expect(rows).toHaveLength(307);
    const byItem = new Map(rows.map((row) => [row.number || row.keyword, row]));
    expect(byItem.size).toBe(307);
    for (const number of bulk(3, 10)) expect(byItem.get(number)?.outcome).toBe('released');
    expect(byItem.get(always)).toMatchObject({
      outcome: 'failed',
      errorCode: 'UNAVAILABLE',
      retryable: 'true',
    });
    expect(byItem.get('19995550000')).toMatchObject({ errorCode: 'NOT_FOUND', retryable: 'false' });
    expect(byItem.get('14255551213')).toMatchObject({ outcome: 'skipped', reason: 'PROTECTED' });
    expect(byItem.get('VANILLA')).toMatchObject({ shortCode: '67076', outcome: 'released' });
    // Release, its 2 retries (the state machine's MaxAttempts), then Settle: 4 invocations of the
    // batch, each trying the number as often as the function's own retry policy says.
    expect(releasesOf(always)).toHaveLength(4 * DEFAULT_RETRY_POLICY.attempts);
    expect(releasesOf('14255551213')).toHaveLength(0);
  });

  it('reports a batch that fails for good BATCH_FAILED, in a job that still ends with its results', async () => {
    // Prepare: CallFire refuses the login of the secret: ConfigurationError, which the state
    // machine neither retries nor catches
    standIns.sandbox.credentials = { username: 'rotated', password: 'elsewhere' };

    // Act
    await api('POST', '/release-jobs', { jobId: 'job-refused', numbers: bulk(2, 500) });
    const job = await finished('job-refused');

    // Assess
    expect(job).toMatchObject({ status: 'SUCCEEDED', counts: { total: 2, failed: 2 } });
    const rows = await resultRows(job);
    expect(rows.map((row) => [row.number, row.errorCode, row.retryable])).toEqual(
      bulk(2, 500).map((number) => [number, 'BATCH_FAILED', 'true']),
    );
    expect(rows[0]?.errorMessage).toContain('ConfigurationError');
  });

  it('never starts a job with invalid items: 400, no execution, nothing written', async () => {
    // Act
    const refused = await api('POST', '/release-jobs', {
      jobId: 'job-invalid',
      numbers: ['14255551212', '12345', 'not a number'],
    });

    // Assess
    expect(refused.status).toBe(400);
    expect([...standIns.stepFunctions.executions.keys()].join()).not.toContain('job-invalid');
    const listed = await standIns.s3
      .client()
      .send(new ListObjectsV2Command({ Bucket: LOCAL_JOBS_BUCKET, Prefix: 'jobs/job-invalid/' }));
    expect(listed.KeyCount).toBe(0);
  });

  it('answers the same request under the same jobId 200 with that job, another 409', async () => {
    // Prepare
    const request = { jobId: 'job-again', numbers: bulk(3, 400) };
    const first = await api('POST', '/release-jobs', request);

    // Act
    const again = await api('POST', '/release-jobs', request);
    const other = await api('POST', '/release-jobs', { ...request, numbers: bulk(3, 410) });

    // Assess
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.jobId).toBe('job-again');
    expect(other.status).toBe(409);
    expect((await finished('job-again')).counts.released).toBe(3);
  });
});

describe('a bulk job stopped while it runs', () => {
  it('ends ABORTED: the batches in flight released, every other item JOB_STOPPED, one row each', async () => {
    // Prepare: 1,000 numbers, 10 batches, 4 at a time; each call answered after 20 ms, so that
    // the batches in flight are still running when the stop comes
    standIns.sandbox.latencyMs = 20;
    const numbers = bulk(1000, 1000);
    await api('POST', '/release-jobs', { jobId: 'job-stop', numbers });
    while (standIns.sandbox.calls.length === 0)
      await new Promise((resolve) => setTimeout(resolve, 10));

    // Act
    const stop = await api('DELETE', '/release-jobs/job-stop');
    const [execution] = [...standIns.stepFunctions.executions.values()].filter(
      (candidate) => candidate.name === 'job-stop',
    );
    const { running, succeeded } = execution?.run.mapRuns[0]?.itemCounts ?? {};
    const job = await finished('job-stop');

    // Assess
    expect(stop.status).toBe(202);
    expect(job.status).toBe('ABORTED');
    const rows = await resultRows(job);
    expect(rows.map((row) => row.number).sort()).toEqual(numbers);
    const released = rows.filter((row) => row.outcome === 'released');
    const stopped = rows.filter((row) => row.errorCode === 'JOB_STOPPED');
    expect(released.length + stopped.length).toBe(1000);
    expect(released.length).toBeGreaterThan(0);
    expect(stopped.length).toBeGreaterThan(0);
    // Nothing was sent for a batch that had not started when the marker was written.
    expect(released.length).toBeLessThanOrEqual((running ?? 0) + (succeeded ?? 0));
    const sent = new Set(standIns.sandbox.calls.map((call) => call.number));
    expect(stopped.filter((row) => sent.has(row.number))).toEqual([]);
    expect(job.counts).toMatchObject({ total: 1000, done: 1000, released: released.length });
  });
});
