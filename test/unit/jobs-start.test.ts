import { describe, expect, it } from 'vitest';
import { JobExistsError } from '../../functions/jobs/errors';
import { newJobId } from '../../functions/jobs/job-id';
import { requestDigest } from '../../functions/jobs/job-request';
import { type StartPorts, startJob } from '../../functions/jobs/start-job';
import { FakeEngine, FakeFiles } from '../helpers/jobs-fakes';

function ports(): StartPorts & { engine: FakeEngine; files: FakeFiles } {
  const calls: string[] = [];
  return {
    engine: new FakeEngine(calls),
    files: new FakeFiles(calls),
    resultsUrlTtlSeconds: 900,
    maxConcurrency: 4,
    now: () => new Date('2026-11-29T12:34:56Z'),
  };
}

const REQUEST = {
  jobId: 'job-march',
  numbers: ['14255551212', '4255551213'],
  keywords: ['VANILLA'],
  confirmKeywordRelease: true,
};

describe('start job', () => {
  it('writes the items file, then starts the execution with the contract input', async () => {
    // Prepare
    const testPorts = ports();

    // Act
    const started = await startJob(REQUEST, testPorts);

    // Assess
    const items = [{ number: '14255551212' }, { number: '14255551213' }, { keyword: 'VANILLA' }];
    const flags = { dryRun: false, confirmKeywordRelease: true, skipConfigured: false };
    expect(started).toEqual({
      outcome: 'started',
      duplicatesMerged: 0,
      input: {
        jobId: 'job-march',
        itemsKey: 'jobs/job-march/items.json',
        resultsPrefix: 'jobs/job-march/map',
        ...flags,
        maxConcurrency: 4,
        total: 3,
        requestDigest: requestDigest(items, flags),
      },
    });
    expect(testPorts.files.items('job-march')).toEqual(items);
    // Looked up first, the items written before the execution that reads them starts.
    expect(testPorts.engine.calls).toEqual([
      'describe job-march',
      'writeItems job-march',
      'start job-march',
    ]);
    // The execution's input is exactly what was started.
    expect(testPorts.engine.executions.get('job-march')?.input).toEqual(
      started.outcome === 'started' ? started.input : undefined,
    );
  });

  it('names a job itself when the request does not: job-<UTC time>-<8 random>', async () => {
    // Act
    const started = await startJob({ numbers: ['14255551212'] }, ports());

    // Assess
    expect(started.outcome === 'started' && started.input.jobId).toMatch(
      /^job-20261129123456-[a-z0-9]{8}$/,
    );
    expect(newJobId()).not.toBe(newJobId());
  });

  it('answers the same request with the same jobId with the existing job, writing nothing', async () => {
    // Prepare
    const testPorts = ports();
    await startJob(REQUEST, testPorts);
    testPorts.engine.calls.length = 0;

    // Act: the same items written another way (duplicates and spellings merge alike)
    const again = await startJob(
      { ...REQUEST, numbers: ['+1 425 555 1212', '(425) 555-1213', '14255551212'] },
      testPorts,
    );

    // Assess
    expect(again).toMatchObject({
      outcome: 'existing',
      view: { jobId: 'job-march', status: 'RUNNING', counts: { total: 3, done: 0 } },
    });
    expect(testPorts.engine.calls).toEqual(['describe job-march', 'progress job-march']);
  });

  it('refuses the same jobId with another request (409 JOB_EXISTS), leaving its items alone', async () => {
    // Prepare
    const testPorts = ports();
    await startJob(REQUEST, testPorts);
    const itemsBefore = testPorts.files.items('job-march');

    // Act
    const changedItems = startJob({ ...REQUEST, numbers: ['14255559999'] }, testPorts);
    const changedFlags = startJob({ ...REQUEST, dryRun: true }, testPorts);

    // Assess
    for (const attempt of [changedItems, changedFlags]) {
      await expect(attempt).rejects.toBeInstanceOf(JobExistsError);
      await attempt.catch((error: JobExistsError) => {
        expect(error.http).toMatchObject({
          status: 409,
          code: 'JOB_EXISTS',
          details: { jobId: 'job-march' },
        });
      });
    }
    expect(testPorts.files.items('job-march')).toEqual(itemsBefore);
  });

  it('takes a start that lost the race to the same request as the existing job', async () => {
    // Prepare: the same request starts the execution between our look-up and our start
    const testPorts = ports();
    testPorts.engine.beforeStart = (input) => {
      testPorts.engine.beforeStart = undefined;
      testPorts.engine.seed(structuredClone(input));
    };

    // Act
    const started = await startJob(REQUEST, testPorts);

    // Assess
    expect(started).toMatchObject({ outcome: 'existing', view: { jobId: 'job-march' } });
  });

  it('refuses a start that lost the race to another request with 409', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.engine.beforeStart = (input) => {
      testPorts.engine.beforeStart = undefined;
      testPorts.engine.seed({ jobId: input.jobId, requestDigest: 'another request' });
    };

    // Act and assess
    await expect(startJob(REQUEST, testPorts)).rejects.toBeInstanceOf(JobExistsError);
  });

  it('goes on when an earlier attempt wrote the same items but did not start', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.files.objects.set(
      'jobs/job-march/items.json',
      JSON.stringify([
        { number: '14255551212' },
        { number: '14255551213' },
        { keyword: 'VANILLA' },
      ]),
    );

    // Act
    const started = await startJob(REQUEST, testPorts);

    // Assess
    expect(started.outcome).toBe('started');
  });

  it('never replaces items another request wrote for this jobId (409)', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.files.objects.set('jobs/job-march/items.json', JSON.stringify([{ number: '1' }]));

    // Act and assess
    await expect(startJob(REQUEST, testPorts)).rejects.toBeInstanceOf(JobExistsError);
    expect(testPorts.files.items('job-march')).toEqual([{ number: '1' }]);
    expect(testPorts.engine.calls).not.toContain('start job-march');
  });

  it('passes the flags and the concurrency through', async () => {
    // Prepare
    const testPorts = { ...ports(), maxConcurrency: 7 };

    // Act
    const started = await startJob(
      { numbers: ['14255551212'], dryRun: true, skipConfigured: true, jobId: 'j' },
      testPorts,
    );

    // Assess
    expect(started).toMatchObject({
      input: {
        dryRun: true,
        skipConfigured: true,
        confirmKeywordRelease: false,
        maxConcurrency: 7,
      },
    });
  });
});
