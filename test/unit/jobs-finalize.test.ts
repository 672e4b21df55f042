import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { JobResultsError } from '../../functions/jobs/errors';
import { finalizeJob } from '../../functions/jobs/finalize';
import type { ChildExecutionRecord, JobItem, JobSummary } from '../../functions/jobs/job-contract';
import { toCsv } from '../../functions/jobs/results-csv';
import type { ItemResult } from '../../functions/release/result';
import { FakeFiles } from '../helpers/jobs-fakes';

const BUCKET = 'callfire-release-test-jobs';
const MANIFEST_KEY = 'jobs/job-1/map/3f1c0a9e/manifest.json';
const INPUT = { jobId: 'job-1', dryRun: false, manifest: { Bucket: BUCKET, Key: MANIFEST_KEY } };
const HEADER = 'kind,number,keyword,shortCode,outcome,reason,errorCode,errorMessage,retryable';
const NOW = () => new Date('2026-11-29T13:00:00Z');

let batchNumber = 0;

/** A child execution record as ResultWriter writes it. */
function record(
  items: JobItem[],
  status: string,
  extra: { output?: unknown; error?: string; cause?: string } = {},
): ChildExecutionRecord & Record<string, unknown> {
  batchNumber++;
  return {
    ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:callfire-release-test-release-job/ReleaseItems:${batchNumber}`,
    Name: String(batchNumber),
    Input: JSON.stringify({ Items: items, BatchInput: { jobId: 'job-1', dryRun: false } }),
    Status: status,
    StartDate: '2026-11-29T12:00:00.000Z',
    StopDate: '2026-11-29T12:01:00.000Z',
    ...(extra.output !== undefined && { Output: JSON.stringify(extra.output) }),
    ...(extra.error !== undefined && { Error: extra.error }),
    ...(extra.cause !== undefined && { Cause: extra.cause }),
  };
}

const released = (number: string): ItemResult => ({ kind: 'number', number, outcome: 'released' });

/** A jobs bucket holding the items file, the manifest and the result files given. */
function bucket(items: JobItem[], files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', unknown[][]>) {
  const fake = new FakeFiles();
  fake.objects.set('jobs/job-1/items.json', JSON.stringify(items));
  const listed = Object.fromEntries(
    Object.entries(files).map(([status, contents]) => [
      status,
      contents.map((records, index) => {
        const Key = `jobs/job-1/map/3f1c0a9e/${status}_${index}.json`;
        fake.objects.set(Key, JSON.stringify(records));
        return { Key, Size: 100 };
      }),
    ]),
  );
  fake.objects.set(
    MANIFEST_KEY,
    JSON.stringify({
      DestinationBucket: BUCKET,
      MapRunArn:
        'arn:aws:states:us-east-1:123456789012:mapRun:callfire-release-test-release-job/ReleaseItems:9',
      ResultFiles: listed,
    }),
  );
  return fake;
}

const csvRows = (files: FakeFiles) =>
  parse(files.objects.get('jobs/job-1/results.csv') ?? '', { columns: true }) as Record<
    string,
    string
  >[];

describe('finalize', () => {
  it('writes one row per item of the items file, in its order, from every kind of batch', async () => {
    // Prepare
    const items: JobItem[] = [
      { number: '14255551212' },
      { number: '14255551213' },
      { keyword: 'vanilla' },
      { number: '14255551214' },
      { number: '14255551215' },
      { number: '14255551216' },
      { number: '14255551217' },
    ];
    const files = bucket(items, {
      SUCCEEDED: [
        [
          record(items.slice(0, 3), 'SUCCEEDED', {
            output: {
              dryRun: false,
              summary: { requested: 3, released: 1, skipped: 1, failed: 1 },
              results: [
                { ...released('14255551212'), verified: true },
                {
                  kind: 'number',
                  number: '14255551213',
                  outcome: 'failed',
                  error: {
                    code: 'NOT_FOUND',
                    message: 'CallFire fault NOT_FOUND: no such number',
                    retryable: false,
                  },
                },
                {
                  kind: 'keyword',
                  keyword: 'VANILLA',
                  shortCode: '67076',
                  outcome: 'skipped',
                  reason: 'PROTECTED',
                },
              ],
            },
          }),
          record(items.slice(3, 4), 'SUCCEEDED', { output: { stopped: true } }),
        ],
      ],
      FAILED: [
        [
          record(items.slice(4, 6), 'FAILED', {
            error: 'ConfigurationError',
            cause: '{"errorMessage":"password hunter2 rejected"}',
          }),
        ],
      ],
      // The last batch never ran: it is in no file with its items.
      PENDING: [],
    });

    // Act
    const { output, summary } = await finalizeJob(INPUT, { files, jobsBucket: BUCKET, now: NOW });

    // Assess
    const csv = files.objects.get('jobs/job-1/results.csv') ?? '';
    expect(csv.split('\r\n')[0]).toBe(HEADER);
    expect(csvRows(files)).toEqual([
      row({ kind: 'number', number: '14255551212', outcome: 'released' }),
      row({
        kind: 'number',
        number: '14255551213',
        outcome: 'failed',
        errorCode: 'NOT_FOUND',
        errorMessage: 'CallFire fault NOT_FOUND: no such number',
        retryable: 'false',
      }),
      row({
        kind: 'keyword',
        keyword: 'VANILLA',
        shortCode: '67076',
        outcome: 'skipped',
        reason: 'PROTECTED',
      }),
      row({
        kind: 'number',
        number: '14255551214',
        outcome: 'failed',
        errorCode: 'JOB_STOPPED',
        errorMessage: 'the job was stopped before this batch ran; nothing was sent',
        retryable: 'true',
      }),
      ...['14255551215', '14255551216'].map((number) =>
        row({
          kind: 'number',
          number,
          outcome: 'failed',
          errorCode: 'BATCH_FAILED',
          errorMessage:
            'the batch failed (ConfigurationError): run its items again, releasing twice is harmless',
          retryable: 'true',
        }),
      ),
      row({
        kind: 'number',
        number: '14255551217',
        outcome: 'failed',
        errorCode: 'NOT_PROCESSED',
        errorMessage: expect.stringMatching(/^the job ended without a result for this item/),
        retryable: 'true',
      }),
    ]);
    // A child's Cause may hold anything: it never reaches the results.
    expect(csv).not.toContain('hunter2');
    const counts = {
      total: 7,
      done: 7,
      released: 1,
      failed: 5,
      skipped: 1,
      wouldRelease: 0,
      alreadyReleased: 0,
    };
    expect(output).toEqual({ counts });
    expect(summary).toEqual<JobSummary>({
      jobId: 'job-1',
      dryRun: false,
      counts,
      batches: { succeeded: 1, stopped: 1, failed: 1 },
      notProcessed: 1,
      resultsKey: 'jobs/job-1/results.csv',
      finishedAt: '2026-11-29T13:00:00.000Z',
    });
    expect(JSON.parse(files.objects.get('jobs/job-1/summary.json') ?? '')).toEqual(summary);
  });

  it('counts a dry run by its outcomes', async () => {
    // Prepare
    const items: JobItem[] = [{ number: '14255551212' }, { number: '14255551214' }];
    const files = bucket(items, {
      SUCCEEDED: [
        [
          record(items, 'SUCCEEDED', {
            output: {
              dryRun: true,
              results: [
                { kind: 'number', number: '14255551212', outcome: 'wouldRelease' },
                { kind: 'number', number: '14255551214', outcome: 'alreadyReleased' },
              ],
            },
          }),
        ],
      ],
      FAILED: [],
      PENDING: [],
    });

    // Act
    const { output } = await finalizeJob({ ...INPUT, dryRun: true }, { files, jobsBucket: BUCKET });

    // Assess
    expect(output.counts).toEqual({
      total: 2,
      done: 2,
      released: 0,
      failed: 0,
      skipped: 0,
      wouldRelease: 1,
      alreadyReleased: 1,
    });
  });

  it('gives keyword entries the release merged the one row they share', async () => {
    // Prepare: two entries naming the account's VANILLA on 67076, one on an unknown short code
    const items: JobItem[] = [
      { keyword: 'Vanilla' },
      { keyword: 'VANILLA', shortCode: '67076' },
      { keyword: 'VANILLA', shortCode: '99000' },
    ];
    const files = bucket(items, {
      SUCCEEDED: [
        [
          record(items, 'SUCCEEDED', {
            output: {
              results: [
                { kind: 'keyword', keyword: 'VANILLA', shortCode: '67076', outcome: 'released' },
                {
                  kind: 'keyword',
                  keyword: 'VANILLA',
                  shortCode: '99000',
                  outcome: 'failed',
                  error: { code: 'NOT_FOUND', message: 'not on 99000', retryable: false },
                },
              ],
            },
          }),
        ],
      ],
      FAILED: [],
      PENDING: [],
    });

    // Act
    await finalizeJob(INPUT, { files, jobsBucket: BUCKET });

    // Assess
    expect(csvRows(files).map((entry) => [entry.keyword, entry.shortCode, entry.outcome])).toEqual([
      ['VANILLA', '67076', 'released'],
      ['VANILLA', '67076', 'released'],
      ['VANILLA', '99000', 'failed'],
    ]);
  });

  it("keeps a redriven batch's success over its earlier failure", async () => {
    const items: JobItem[] = [{ number: '14255551212' }];
    const files = bucket(items, {
      SUCCEEDED: [[record(items, 'SUCCEEDED', { output: { results: [released('14255551212')] } })]],
      FAILED: [[record(items, 'FAILED', { error: 'States.Timeout' })]],
      PENDING: [],
    });
    const { output } = await finalizeJob(INPUT, { files, jobsBucket: BUCKET });
    expect(output.counts).toMatchObject({ released: 1, failed: 0 });
  });

  it('marks items NOT_PROCESSED when a listed file is missing or a batch left no row', async () => {
    // Prepare
    const items: JobItem[] = [{ number: '14255551212' }, { number: '14255551213' }];
    const files = bucket(items, {
      SUCCEEDED: [[record(items, 'SUCCEEDED', { output: { results: [released('14255551212')] } })]],
      FAILED: [[]],
      PENDING: [],
    });
    files.objects.delete('jobs/job-1/map/3f1c0a9e/FAILED_0.json');

    // Act
    const { output } = await finalizeJob(INPUT, { files, jobsBucket: BUCKET });

    // Assess
    expect(csvRows(files).map((entry) => entry.errorCode)).toEqual(['', 'NOT_PROCESSED']);
    expect(output.counts).toMatchObject({ total: 2, released: 1, failed: 1 });
  });

  it('reads only the files of this job in the jobs bucket, and needs the items and the manifest', async () => {
    const files = bucket([{ number: '14255551212' }], { SUCCEEDED: [], FAILED: [], PENDING: [] });
    const refused = [
      {},
      { ...INPUT, jobId: 'a b' },
      { ...INPUT, dryRun: 'no' },
      { ...INPUT, manifest: { Bucket: 'another-bucket', Key: MANIFEST_KEY } },
      { ...INPUT, manifest: { Bucket: BUCKET, Key: 'jobs/job-2/map/x/manifest.json' } },
      { ...INPUT, manifest: { Bucket: BUCKET, Key: 'jobs/job-1/map/none/manifest.json' } },
    ];
    for (const input of refused) {
      await expect(
        finalizeJob(input, { files, jobsBucket: BUCKET }),
        JSON.stringify(input),
      ).rejects.toBeInstanceOf(JobResultsError);
    }
    files.objects.delete('jobs/job-1/items.json');
    await expect(finalizeJob(INPUT, { files, jobsBucket: BUCKET })).rejects.toThrow(
      /items file jobs\/job-1\/items.json is missing/,
    );
  });
});

describe('results.csv', () => {
  it('quotes commas, quotes and line breaks in a message, and reads back as written', () => {
    // Prepare
    const message = 'CallFire said "no", then:\r\nline two, and a comma';

    // Act
    const csv = toCsv([
      {
        kind: 'number',
        number: '14255551212',
        outcome: 'failed',
        errorCode: 'UPSTREAM_HTTP',
        errorMessage: message,
        retryable: true,
      },
      { kind: 'keyword', keyword: 'VANILLA', shortCode: '67076', outcome: 'released' },
    ]);

    // Assess
    expect(csv).toBe(
      `${HEADER}\r\nnumber,14255551212,,,failed,,UPSTREAM_HTTP,"CallFire said ""no"", then:\r\nline two, and a comma",true\r\nkeyword,,VANILLA,67076,released,,,,\r\n`,
    );
    expect(parse(csv, { columns: true })).toEqual([
      row({
        kind: 'number',
        number: '14255551212',
        outcome: 'failed',
        errorCode: 'UPSTREAM_HTTP',
        errorMessage: message,
        retryable: 'true',
      }),
      row({ kind: 'keyword', keyword: 'VANILLA', shortCode: '67076', outcome: 'released' }),
    ]);
  });
});

/** A CSV row as csv-parse reads it back: every column, empty when absent. */
function row(fields: Record<string, unknown>): Record<string, unknown> {
  const columns = HEADER.split(',');
  return Object.fromEntries(columns.map((column) => [column, fields[column] ?? '']));
}
