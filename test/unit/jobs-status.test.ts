import { describe, expect, it } from 'vitest';
import { JobNotFoundError } from '../../functions/jobs/errors';
import { describeJob, jobStatusOf, type StatusPorts } from '../../functions/jobs/job-status';
import type { ExecutionStatus } from '../../functions/jobs/ports';
import { stopJob } from '../../functions/jobs/stop-job';
import { FakeEngine, FakeFiles } from '../helpers/jobs-fakes';

const STARTED = new Date('2026-11-29T12:00:00Z');
const STOPPED = new Date('2026-11-29T12:20:00Z');
const FINAL_COUNTS = {
  total: 250,
  done: 250,
  released: 240,
  failed: 6,
  skipped: 4,
  wouldRelease: 0,
  alreadyReleased: 0,
};

function ports(): StatusPorts & { engine: FakeEngine; files: FakeFiles } {
  return { engine: new FakeEngine(), files: new FakeFiles(), resultsUrlTtlSeconds: 900 };
}

describe('job status', () => {
  it.each<[ExecutionStatus, boolean, string]>([
    ['RUNNING', false, 'RUNNING'],
    ['RUNNING', true, 'RUNNING'],
    ['PENDING_REDRIVE', false, 'RUNNING'],
    ['SUCCEEDED', false, 'SUCCEEDED'],
    ['SUCCEEDED', true, 'ABORTED'],
    ['FAILED', false, 'FAILED'],
    ['TIMED_OUT', false, 'FAILED'],
    ['ABORTED', false, 'ABORTED'],
  ])('maps an execution %s (stop marker: %s) to %s', (execution, marker, expected) => {
    expect(jobStatusOf(execution, marker)).toBe(expected);
  });

  it("shows a running job's progress from its Map Run; the outcome counts stay 0", async () => {
    // Prepare
    const testPorts = ports();
    testPorts.engine.seed({ jobId: 'job-1', total: 250, dryRun: true });
    testPorts.engine.progresses.set('job-1', { total: 250, done: 100 });

    // Act
    const view = await describeJob('job-1', testPorts);

    // Assess
    expect(view).toEqual({
      jobId: 'job-1',
      status: 'RUNNING',
      dryRun: true,
      counts: { ...FINAL_COUNTS, done: 100, released: 0, failed: 0, skipped: 0 },
      startedAt: STARTED.toISOString(),
    });
  });

  it('shows done 0 before the Map Run exists', async () => {
    const testPorts = ports();
    testPorts.engine.seed({ jobId: 'job-1', total: 3 });
    expect((await describeJob('job-1', testPorts)).counts).toMatchObject({ total: 3, done: 0 });
  });

  it('says a running job is stopping once its stop marker is written', async () => {
    const testPorts = ports();
    testPorts.engine.seed({ jobId: 'job-1', total: 3 });
    await testPorts.files.writeStopMarker('job-1');
    expect(await describeJob('job-1', testPorts)).toMatchObject({
      status: 'RUNNING',
      stopping: true,
    });
  });

  it('shows a finished job with its final counts and a presigned link to results.csv', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.engine.seed(
      { jobId: 'job-1', total: 250, dryRun: false },
      { status: 'SUCCEEDED', output: { counts: FINAL_COUNTS }, stoppedAt: STOPPED },
    );

    // Act
    const view = await describeJob('job-1', testPorts);

    // Assess
    expect(view).toEqual({
      jobId: 'job-1',
      status: 'SUCCEEDED',
      dryRun: false,
      counts: FINAL_COUNTS,
      startedAt: STARTED.toISOString(),
      stoppedAt: STOPPED.toISOString(),
      results: {
        url: 'https://jobs.example/jobs/job-1/results.csv?ttl=900',
        expiresAt: '2026-11-29T12:15:00.000Z',
        format: 'csv',
      },
    });
  });

  it("takes the counts from summary.json when the execution's output has none", async () => {
    // Prepare
    const testPorts = ports();
    testPorts.engine.seed({ jobId: 'job-1', total: 250 }, { status: 'SUCCEEDED', output: {} });
    testPorts.files.objects.set(
      'jobs/job-1/summary.json',
      JSON.stringify({ counts: FINAL_COUNTS }),
    );

    // Act and assess
    expect((await describeJob('job-1', testPorts)).counts).toEqual(FINAL_COUNTS);
  });

  it('shows a stopped job as ABORTED once its execution ended, with its results', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.engine.seed(
      { jobId: 'job-1', total: 250 },
      { status: 'SUCCEEDED', output: { counts: FINAL_COUNTS }, stoppedAt: STOPPED },
    );
    await testPorts.files.writeStopMarker('job-1');

    // Act
    const view = await describeJob('job-1', testPorts);

    // Assess
    expect(view).toMatchObject({
      status: 'ABORTED',
      counts: FINAL_COUNTS,
      results: { format: 'csv' },
    });
    expect(view.stopping).toBeUndefined();
  });

  it('shows a failed or timed-out job as FAILED, with the progress it made and no results', async () => {
    for (const status of ['FAILED', 'TIMED_OUT'] as const) {
      // Prepare
      const testPorts = ports();
      testPorts.engine.seed({ jobId: 'job-1', total: 250 }, { status, stoppedAt: STOPPED });
      testPorts.engine.progresses.set('job-1', { total: 250, done: 180 });

      // Act
      const view = await describeJob('job-1', testPorts);

      // Assess
      expect(view, status).toMatchObject({ status: 'FAILED', counts: { total: 250, done: 180 } });
      expect(view.results, status).toBeUndefined();
    }
  });

  it('answers 404 for a job that does not exist', async () => {
    await expect(describeJob('job-none', ports())).rejects.toBeInstanceOf(JobNotFoundError);
    await describeJob('job-none', ports()).catch((error: JobNotFoundError) => {
      expect(error.http).toMatchObject({ status: 404, code: 'JOB_NOT_FOUND' });
    });
  });
});

describe('stop job', () => {
  it('writes the stop marker of a running job and says it is stopping', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.engine.seed({ jobId: 'job-1', total: 250 });

    // Act
    const answer = await stopJob('job-1', testPorts);

    // Assess
    expect(answer).toEqual({ status: 'RUNNING', stopping: true });
    expect(testPorts.files.objects.has('jobs/job-1/stop')).toBe(true);
  });

  it('can be asked again while the job finishes', async () => {
    const testPorts = ports();
    testPorts.engine.seed({ jobId: 'job-1', total: 250 });
    await stopJob('job-1', testPorts);
    expect(await stopJob('job-1', testPorts)).toEqual({ status: 'RUNNING', stopping: true });
  });

  it('leaves a finished job as it is and tells its status', async () => {
    // Prepare
    const testPorts = ports();
    testPorts.engine.seed({ jobId: 'done', total: 1 }, { status: 'SUCCEEDED' });
    testPorts.engine.seed({ jobId: 'stopped', total: 1 }, { status: 'SUCCEEDED' });
    testPorts.files.objects.set('jobs/stopped/stop', '{}');
    testPorts.engine.seed({ jobId: 'failed', total: 1 }, { status: 'TIMED_OUT' });

    // Act and assess
    expect(await stopJob('done', testPorts)).toEqual({ status: 'SUCCEEDED', stopping: false });
    expect(await stopJob('stopped', testPorts)).toEqual({ status: 'ABORTED', stopping: false });
    expect(await stopJob('failed', testPorts)).toEqual({ status: 'FAILED', stopping: false });
    expect(testPorts.files.calls).not.toContain('writeStopMarker done');
  });

  it('answers 404 for a job that does not exist, writing nothing', async () => {
    const testPorts = ports();
    await expect(stopJob('job-none', testPorts)).rejects.toBeInstanceOf(JobNotFoundError);
    expect(testPorts.files.objects.size).toBe(0);
  });
});
