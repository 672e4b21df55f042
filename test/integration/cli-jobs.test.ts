/**
 * `job start|status|wait|results|stop` against a fake of the job API's fixed contract (the real
 * local job runner lands later), a loopback server for the results file, and, for a file of more
 * than 5,000 items with --stack, a fake S3 the real SDK uploads to (AWS_ENDPOINT_URL_S3).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BULK_NUMBER_FIRST } from '../../local/callfire-default-account';
import { runCli, scratchDir } from '../helpers/cli';
import { startCloudFormationStandIn } from '../helpers/cloudformation-stand-in';
import { FAKE_RESULTS_CSV, startFakeJobApi, startFakeS3 } from '../helpers/fake-job-api';

const CREDENTIALS = { accessKeyId: 'AKIDJOBSEXAMPLE', secretAccessKey: 'jobs-example-secret' };
const BUCKET = 'callfire-release-prod-jobs';
let api: Awaited<ReturnType<typeof startFakeJobApi>>;
let signedApi: Awaited<ReturnType<typeof startFakeJobApi>>;
let s3: Awaited<ReturnType<typeof startFakeS3>>;
let cloudFormation: Awaited<ReturnType<typeof startCloudFormationStandIn>>;
let dir: string;

beforeAll(async () => {
  api = await startFakeJobApi({ failing: ['14255550000'] });
  s3 = await startFakeS3();
  signedApi = await startFakeJobApi({
    verify: { ...CREDENTIALS, region: 'us-east-1' },
    s3: { objects: s3.objects, bucket: BUCKET },
  });
  cloudFormation = await startCloudFormationStandIn({
    'callfire-release-prod': {
      ReleaseEndpoint: `${signedApi.url}/prod/releases`,
      JobsEndpoint: `${signedApi.url}/prod/release-jobs`,
      JobsBucketName: BUCKET,
    },
  });
});

afterAll(async () => {
  await Promise.all([api?.close(), signedApi?.close(), s3?.close(), cloudFormation?.close()]);
});

beforeEach(() => {
  for (const fake of [api, signedApi]) {
    fake.jobs.clear();
    fake.requests.length = 0;
    fake.downloads.length = 0;
  }
  dir = scratchDir();
});

function itemsFile(lines: readonly string[]): string {
  const where = path.join(dir, 'items.csv');
  writeFileSync(where, `${lines.join('\n')}\n`);
  return where;
}

const endpoint = () => ['--endpoint', api.url];

describe('callfire-release job', () => {
  it('starts a job inline, waits for it with progress, and exits 1 when items failed', async () => {
    const run = await runCli([
      'job',
      'start',
      itemsFile(['number', '14255551212', '4255550000', '14255551217']),
      ...endpoint(),
      '--job-id',
      'q4-retire',
      '--wait',
      '--interval',
      '0.05',
      '--progress-interval',
      '0.01',
    ]);

    expect(run.code, run.stderr).toBe(1);
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: '/release-jobs',
      body: { numbers: ['14255551212', '14255550000', '14255551217'], jobId: 'q4-retire' },
    });
    expect(api.requests.slice(1).map((request) => [request.method, request.path])).toEqual([
      ['GET', '/release-jobs/q4-retire'],
      ['GET', '/release-jobs/q4-retire'],
      ['GET', '/release-jobs/q4-retire'],
    ]);
    expect(run.stdout).toContain('Job q4-retire started (RUNNING).');
    expect(run.stdout).toContain('Job q4-retire: SUCCEEDED');
    expect(run.stdout).toContain('3/3 items done: released 2, skipped 0, failed 1');
    expect(run.stderr).toMatch(/progress: 1\/3 items/);
    expect(run.stderr).toMatch(/progress: 3\/3 items \(100%\) \| released 2, skipped 0, failed 1/);
  });

  it('answers 200 for the same id and request, and exits 2 for the same id with another request', async () => {
    const args = ['job', 'start', ...endpoint(), '--job-id', 'once', '--dry-run'];
    const first = await runCli([...args, itemsFile(['14255551212'])]);
    const same = await runCli([...args, itemsFile(['14255551212'])]);
    const other = await runCli([...args, itemsFile(['14255551217'])]);

    expect(first.code).toBe(0);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('already exists for this same request');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('HTTP 409 JOB_EXISTS');
    expect(api.requests[0]?.body).toEqual({
      numbers: ['14255551212'],
      dryRun: true,
      jobId: 'once',
    });
  });

  it('refuses keywords without --confirm-keyword-release, and more than 5,000 items without --stack, sending nothing', async () => {
    const keywords = await runCli([
      'job',
      'start',
      itemsFile(['keyword', 'VANILLA']),
      ...endpoint(),
    ]);
    const big = await runCli([
      'job',
      'start',
      itemsFile(Array.from({ length: 5001 }, (_, at) => `${BULK_NUMBER_FIRST + at}`)),
      ...endpoint(),
    ]);
    const badId = await runCli([
      'job',
      'start',
      itemsFile(['14255551212']),
      ...endpoint(),
      '--job-id',
      'no/slash',
    ]);

    expect(keywords.code).toBe(2);
    expect(keywords.stderr).toContain('keywords need --confirm-keyword-release');
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('more than 5,000 go through the jobs bucket, which needs --stack');
    expect(badId.code).toBe(2);
    expect(api.requests).toEqual([]);
  });

  it('prints the status, downloads the results with a plain GET, and stops jobs', async () => {
    await runCli([
      'job',
      'start',
      itemsFile(['14255551212', '14255551217']),
      ...endpoint(),
      '--job-id',
      'done-job',
    ]);
    await runCli([
      'job',
      'start',
      itemsFile(['14255551216']),
      ...endpoint(),
      '--job-id',
      'long-job',
    ]);
    const out = path.join(dir, 'results.csv');

    const early = await runCli(['job', 'results', 'done-job', ...endpoint(), '--out', out]);
    await runCli(['job', 'wait', 'done-job', ...endpoint(), '--interval', '0.01']);
    const status = await runCli(['job', 'status', 'done-job', ...endpoint(), '--json']);
    const results = await runCli(['job', 'results', 'done-job', ...endpoint(), '--out', out]);
    const stop = await runCli(['job', 'stop', 'long-job', ...endpoint()]);
    const stopped = await runCli(['job', 'status', 'long-job', ...endpoint()]);
    const stopAgain = await runCli(['job', 'stop', 'long-job', ...endpoint()]);
    const unknown = await runCli(['job', 'status', 'nope', ...endpoint()]);

    expect(early.code).toBe(1);
    expect(early.stderr).toContain('no results yet (RUNNING)');
    expect(JSON.parse(status.stdout)).toMatchObject({
      jobId: 'done-job',
      status: 'SUCCEEDED',
      counts: { total: 2, done: 2, released: 2 },
    });
    expect(results.code, results.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(FAKE_RESULTS_CSV);
    expect(results.stdout).toContain('2 rows written to');
    expect(api.downloads).toHaveLength(1);
    expect(api.downloads[0]?.authorization).toBeUndefined();
    expect(`${results.stdout}${results.stderr}`).not.toContain('X-Amz-Signature=0123456789abcdef');
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('Job long-job is stopping');
    expect(stopped.stdout).toContain('Job long-job: ABORTED');
    expect(stopAgain.stdout).toContain('had already finished (ABORTED)');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('HTTP 404 JOB_NOT_FOUND');
  });

  it('uploads more than 5,000 items to the jobs bucket with --stack, and signs the job API requests', async () => {
    const numbers = Array.from({ length: 6000 }, (_, at) => `${BULK_NUMBER_FIRST + at}`);
    const env = {
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    };

    const run = await runCli(
      [
        'job',
        'start',
        itemsFile(['number', ...numbers]),
        '--stack',
        'callfire-release-prod',
        '--job-id',
        'big-one',
        '--dry-run',
        '--json',
      ],
      { env },
    );

    expect(run.code, run.stderr).toBe(0);
    const uploaded = s3.objects.get(`${BUCKET}/uploads/big-one.csv`);
    expect(uploaded?.credentialScope).toMatch(/\/us-east-1\/s3\/aws4_request$/);
    const lines = uploaded?.body.split('\r\n').filter(Boolean) ?? [];
    expect(lines[0]).toBe('number,keyword,shortCode');
    expect(lines.slice(1)).toEqual(numbers);
    expect(signedApi.requests).toEqual([
      {
        method: 'POST',
        path: '/prod/release-jobs',
        body: { source: { key: 'uploads/big-one.csv' }, dryRun: true, jobId: 'big-one' },
        verdict: undefined,
        signed: true,
      },
    ]);
    expect(JSON.parse(run.stdout)).toEqual({
      jobId: 'big-one',
      status: 'RUNNING',
      statusUrl: '/release-jobs/big-one',
      created: true,
    });
  });
});
