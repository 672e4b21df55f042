/**
 * The job API's artifact, `dist/jobs/handler.js`, with the real AWS SDK over loopback sockets: a
 * local S3 (s3rver, through `AWS_ENDPOINT_URL_S3`, path-style) and a stand-in of the four Step
 * Functions calls (`AWS_ENDPOINT_URL_SFN`). A job goes through its whole life by hand: started,
 * looked at, stopped, its results written as ResultWriter would, finalized, downloaded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../functions/release/triggers/http-answer';
import { lambdaContext } from '../../local/lambda-context';
import { httpApiEvent } from '../fixtures/events';
import { type BundledHandler, captureOutput, loadJobsBundle } from '../helpers/bundled-handler';
import { type SfnStub, startSfnStub } from '../helpers/sfn-stub';

const BUCKET = 'callfire-release-test-jobs';
const STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:123456789012:stateMachine:callfire-release-test-release-job';

let s3: S3rver;
let s3Url: string;
let sfn: SfnStub;
let directory: string;
let bundle: { handler: BundledHandler; finalize: BundledHandler };
let output: ReturnType<typeof captureOutput>;

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), 'jobs-s3-'));
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  s3Url = `http://127.0.0.1:${(await s3.run()).port}`;
  sfn = await startSfnStub();
  bundle = loadJobsBundle({
    AWS_ENDPOINT_URL_S3: s3Url,
    AWS_ENDPOINT_URL_SFN: sfn.url,
    // s3rver checks signatures made with its own fixed key.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    JOBS_BUCKET: BUCKET,
    RELEASE_JOB_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  output = captureOutput();
});

afterAll(async () => {
  output?.restore();
  await sfn?.close();
  await s3?.close();
  rmSync(directory, { recursive: true, force: true });
});

async function http(method: string, jobPath: string, body?: unknown): Promise<HttpResponse> {
  const event = httpApiEvent({
    method,
    path: jobPath,
    routeKey:
      jobPath === '/release-jobs' ? `${method} /release-jobs` : `${method} /release-jobs/{jobId}`,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await bundle.handler(event, lambdaContext({ timeoutMs: 29_000 }))) as HttpResponse;
}

async function s3Object(key: string): Promise<Response> {
  return fetch(`${s3Url}/${BUCKET}/${key}`);
}

async function putS3(key: string, body: unknown): Promise<void> {
  // s3rver accepts unsigned writes through its HTTP API as the local runner's ResultWriter would.
  const response = await fetch(`${s3Url}/${BUCKET}/${key}`, {
    method: 'PUT',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

interface AnswerBody extends Record<string, unknown> {
  error: { code: string; message: string };
  errors: unknown[];
  results: { url: string };
}

const json = (response: HttpResponse) => JSON.parse(String(response.body)) as AnswerBody;

describe('job bundle against a local S3 and Step Functions endpoint', () => {
  it('starts a job from an uploaded file: items file written, execution started with the contract input', async () => {
    // Prepare
    await putS3(
      'uploads/march.csv',
      'number,keyword,shortCode\n14255551212,,\n,VANILLA,67076\n4255551212,,\n',
    );

    // Act
    const response = await http('POST', '/release-jobs', {
      jobId: 'job-march',
      source: { key: 'uploads/march.csv' },
      confirmKeywordRelease: true,
    });

    // Assess
    expect(response.statusCode, String(response.body)).toBe(202);
    expect(json(response)).toMatchObject({ jobId: 'job-march', total: 2, duplicatesMerged: 1 });
    expect(await (await s3Object('jobs/job-march/items.json')).json()).toEqual([
      { number: '14255551212' },
      { keyword: 'VANILLA', shortCode: '67076' },
    ]);
    expect(JSON.parse(sfn.executions.get('job-march')?.input ?? '')).toEqual({
      jobId: 'job-march',
      itemsKey: 'jobs/job-march/items.json',
      resultsPrefix: 'jobs/job-march/map',
      dryRun: false,
      confirmKeywordRelease: true,
      skipConfigured: false,
      maxConcurrency: 4,
      total: 2,
      requestDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      source: 'uploads/march.csv',
    });
    expect(sfn.operations).toEqual(['DescribeExecution', 'StartExecution']);
  });

  it('answers the same request again 200 and another under the same id 409', async () => {
    const again = await http('POST', '/release-jobs', {
      jobId: 'job-march',
      source: { key: 'uploads/march.csv' },
      confirmKeywordRelease: true,
    });
    const other = await http('POST', '/release-jobs', {
      jobId: 'job-march',
      numbers: ['14255559999'],
    });
    expect(again.statusCode).toBe(200);
    expect(other.statusCode).toBe(409);
  });

  it("shows the Map Run's progress while the job runs, and stops it with the marker", async () => {
    // Prepare
    const execution = sfn.executions.get('job-march');
    if (execution)
      execution.itemCounts = {
        succeeded: 1,
        failed: 0,
        timedOut: 0,
        aborted: 0,
        running: 1,
        pending: 0,
        total: 2,
        resultsWritten: 1,
      };

    // Act
    const running = await http('GET', '/release-jobs/job-march');
    const stop = await http('DELETE', '/release-jobs/job-march');
    const stopping = await http('GET', '/release-jobs/job-march');

    // Assess
    expect(json(running)).toMatchObject({
      status: 'RUNNING',
      counts: { total: 2, done: 1, released: 0 },
    });
    expect(stop.statusCode).toBe(202);
    expect((await s3Object('jobs/job-march/stop')).status).toBe(200);
    expect(json(stopping)).toMatchObject({ status: 'RUNNING', stopping: true });
  });

  it('finalizes from what ResultWriter wrote, and links to results.csv once the execution ended', async () => {
    // Prepare: one batch released its item, the other was stopped before it ran
    const prefix = 'jobs/job-march/map/5e1b9d6c';
    const input = (items: unknown[]) =>
      JSON.stringify({ Items: items, BatchInput: { jobId: 'job-march' } });
    await putS3(`${prefix}/SUCCEEDED_0.json`, [
      {
        Name: 'b1',
        Status: 'SUCCEEDED',
        Input: input([{ number: '14255551212' }]),
        Output: JSON.stringify({
          dryRun: false,
          results: [{ kind: 'number', number: '14255551212', outcome: 'released' }],
        }),
      },
      {
        Name: 'b2',
        Status: 'SUCCEEDED',
        Input: input([{ keyword: 'VANILLA', shortCode: '67076' }]),
        Output: '{"stopped":true}',
      },
    ]);
    await putS3(`${prefix}/manifest.json`, {
      DestinationBucket: BUCKET,
      MapRunArn:
        'arn:aws:states:us-east-1:123456789012:mapRun:callfire-release-test-release-job/ReleaseItems:1',
      ResultFiles: {
        SUCCEEDED: [{ Key: `${prefix}/SUCCEEDED_0.json`, Size: 1 }],
        FAILED: [],
        PENDING: [],
      },
    });

    // Act
    const finalized = await bundle.finalize(
      {
        jobId: 'job-march',
        dryRun: false,
        manifest: { Bucket: BUCKET, Key: `${prefix}/manifest.json` },
      },
      lambdaContext({ timeoutMs: 300_000 }),
    );
    const execution = sfn.executions.get('job-march');
    if (execution) {
      execution.status = 'SUCCEEDED';
      execution.stopDate = Date.now() / 1000;
      execution.output = JSON.stringify(finalized);
    }
    const ended = json(await http('GET', '/release-jobs/job-march'));

    // Assess
    const counts = {
      total: 2,
      done: 2,
      released: 1,
      failed: 1,
      skipped: 0,
      wouldRelease: 0,
      alreadyReleased: 0,
    };
    expect(finalized).toEqual({ counts });
    expect(ended).toMatchObject({ status: 'ABORTED', counts, results: { format: 'csv' } });
    const download = await fetch(ended.results.url);
    expect(download.status).toBe(200);
    const rows = parse(await download.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row.kind, row.outcome, row.errorCode])).toEqual([
      ['number', 'released', ''],
      ['keyword', 'failed', 'JOB_STOPPED'],
    ]);
    expect(await (await s3Object('jobs/job-march/summary.json')).json()).toMatchObject({ counts });
  });

  it('answers a job that does not exist 404, and a file that is not there 400', async () => {
    expect((await http('GET', '/release-jobs/job-none')).statusCode).toBe(404);
    expect((await http('DELETE', '/release-jobs/job-none')).statusCode).toBe(404);
    const missing = await http('POST', '/release-jobs', { source: { key: 'uploads/none.json' } });
    expect(missing.statusCode).toBe(400);
    expect(json(missing).errors).toEqual([
      {
        path: 'source.key',
        message: 'no file uploads/none.json in the jobs bucket: upload it first',
      },
    ]);
  });

  it('names an S3 endpoint that cannot be reached as a configuration problem (500)', async () => {
    // Prepare
    const broken = loadJobsBundle({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' });
    bundle = broken;

    // Act
    const response = await http('POST', '/release-jobs', { numbers: ['14255551212'] });

    // Assess
    expect(response.statusCode).toBe(500);
    expect(json(response).error.message).toMatch(
      /Amazon S3 endpoint http:\/\/127\.0\.0\.1:9 \(AWS_ENDPOINT_URL_S3\) cannot be reached \(ECONNREFUSED\)/,
    );
  });
});
