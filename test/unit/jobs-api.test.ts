import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobsApiHandler, type JobsApiDeps } from '../../functions/jobs/api';
import { readApiConfig, readFilesConfig } from '../../functions/jobs/config';
import { createFinalizeHandler } from '../../functions/jobs/finalize-handler';
import { ConfigurationError } from '../../functions/release/errors';
import type { HttpResponse } from '../../functions/release/triggers/http-answer';
import { lambdaContext } from '../../local/lambda-context';
import { CALLER_ARN, httpApiEvent, restApiEvent } from '../fixtures/events';
import { captureOutput } from '../helpers/bundled-handler';
import { FakeEngine, FakeFiles } from '../helpers/jobs-fakes';

const STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:123456789012:stateMachine:callfire-release-test-release-job';
const ENV = {
  JOBS_BUCKET: 'callfire-release-test-jobs',
  RELEASE_JOB_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
};

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

function api(overrides: Partial<JobsApiDeps> = {}) {
  const engine = new FakeEngine();
  const files = new FakeFiles();
  const handler = createJobsApiHandler({
    wiring: { config: readApiConfig(ENV), ports: () => ({ engine, files }) },
    logger: new Logger({ serviceName: 'jobs-test' }),
    ...overrides,
  });
  const call = async (event: unknown) =>
    (await handler(event, lambdaContext({ requestId: 'req-1' }))) as HttpResponse;
  return { engine, files, call };
}

const body = (response: HttpResponse) =>
  JSON.parse(String(response.body)) as Record<string, unknown>;

const post = (payload: unknown, stage?: string) =>
  httpApiEvent({
    method: 'POST',
    path: '/release-jobs',
    body: JSON.stringify(payload),
    ...(stage && { stage }),
  });

const onJob = (method: 'GET' | 'DELETE', jobId: string, stage?: string) =>
  httpApiEvent({
    method,
    path: `/release-jobs/${jobId}`,
    routeKey: `${method} /release-jobs/{jobId}`,
    body: undefined,
    ...(stage && { stage }),
  });

describe('job API over HTTP', () => {
  it('answers POST /release-jobs with 202, the job id and an absolute status URL', async () => {
    // Prepare
    const { call, engine } = api();

    // Act
    const response = await call(
      post({ jobId: 'job-1', numbers: ['14255551212', '+1 425 555 1212', '14255551213'] }, 'prod'),
    );

    // Assess
    const statusUrl =
      'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/release-jobs/job-1';
    expect(response.statusCode).toBe(202);
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      'x-lambda-request-id': 'req-1',
      location: statusUrl,
    });
    expect(body(response)).toEqual({
      requestId: 'req-1',
      jobId: 'job-1',
      status: 'RUNNING',
      statusUrl,
      total: 2,
      duplicatesMerged: 1,
      dryRun: false,
    });
    expect(engine.executions.has('job-1')).toBe(true);
  });

  it('leaves the $default stage out of the status URL, and gives a path when there is no domain', async () => {
    const { call } = api();
    const withDomain = await call(post({ jobId: 'job-a', numbers: ['14255551212'] }));
    const event = post({ jobId: 'job-b', numbers: ['14255551212'] });
    delete (event.requestContext as { domainName?: string }).domainName;
    const without = await call(event);
    expect(body(withDomain).statusUrl).toBe(
      'https://abc123defg.execute-api.us-east-1.amazonaws.com/release-jobs/job-a',
    );
    expect(body(without).statusUrl).toBe('/release-jobs/job-b');
  });

  it('answers a repeated request 200 with the existing job, and another one under its id 409', async () => {
    // Prepare
    const { call } = api();
    const request = { jobId: 'job-1', numbers: ['14255551212'] };
    await call(post(request));

    // Act
    const repeated = await call(post(request));
    const conflicting = await call(post({ ...request, dryRun: true }));

    // Assess
    expect(repeated.statusCode).toBe(200);
    expect(body(repeated)).toMatchObject({
      jobId: 'job-1',
      status: 'RUNNING',
      statusUrl: expect.any(String),
    });
    expect(conflicting.statusCode).toBe(409);
    expect(body(conflicting)).toMatchObject({ error: { code: 'JOB_EXISTS' }, jobId: 'job-1' });
  });

  it('answers an invalid request 400 and one over the limit 413, with the problems listed', async () => {
    const { call } = api();
    const invalid = await call(post({ numbers: ['14255551212', 'x'] }));
    const tooMany = await call(post({ numbers: Array.from({ length: 5001 }, () => '1') }));
    expect(invalid.statusCode).toBe(400);
    expect(body(invalid)).toMatchObject({
      error: { code: 'INVALID_REQUEST' },
      errors: [{ path: 'numbers[1]', message: expect.any(String) }],
    });
    expect(tooMany.statusCode).toBe(413);
    expect(body(tooMany)).toMatchObject({ error: { code: 'REQUEST_TOO_LARGE' } });
  });

  it('answers an empty body, a body that is not JSON, and one over 1 MB', async () => {
    const { call } = api();
    const empty = httpApiEvent({ method: 'POST', path: '/release-jobs', body: undefined });
    const notJson = httpApiEvent({ method: 'POST', path: '/release-jobs', body: '{' });
    const huge = httpApiEvent({
      method: 'POST',
      path: '/release-jobs',
      body: `"${'x'.repeat(1024 * 1024)}"`,
    });
    expect((await call(empty)).statusCode).toBe(400);
    expect((await call(notJson)).statusCode).toBe(400);
    expect((await call(huge)).statusCode).toBe(413);
  });

  it("answers GET /release-jobs/{jobId} with the job's view, and 404 for an unknown job", async () => {
    // Prepare
    const { call, engine } = api();
    engine.seed({ jobId: 'job-1', total: 10, dryRun: false });
    engine.progresses.set('job-1', { total: 10, done: 4 });

    // Act
    const known = await call(onJob('GET', 'job-1'));
    const unknown = await call(onJob('GET', 'job-2'));
    const impossible = await call(onJob('GET', 'not%20an%20id'));

    // Assess
    expect(known.statusCode).toBe(200);
    expect(body(known)).toMatchObject({
      requestId: 'req-1',
      jobId: 'job-1',
      status: 'RUNNING',
      counts: { done: 4 },
    });
    for (const response of [unknown, impossible]) {
      expect(response.statusCode).toBe(404);
      expect(body(response)).toMatchObject({ error: { code: 'JOB_NOT_FOUND' } });
    }
  });

  it('answers DELETE 202 while the job runs and 200 once it has ended', async () => {
    // Prepare
    const { call, engine, files } = api();
    engine.seed({ jobId: 'running', total: 10 });
    engine.seed({ jobId: 'ended', total: 10 }, { status: 'SUCCEEDED' });

    // Act
    const stopping = await call(onJob('DELETE', 'running'));
    const ended = await call(onJob('DELETE', 'ended'));
    const unknown = await call(onJob('DELETE', 'none'));

    // Assess
    expect(stopping.statusCode).toBe(202);
    expect(body(stopping)).toEqual({
      requestId: 'req-1',
      jobId: 'running',
      status: 'RUNNING',
      stopping: true,
    });
    expect(files.objects.has('jobs/running/stop')).toBe(true);
    expect(ended.statusCode).toBe(200);
    expect(body(ended)).toEqual({
      requestId: 'req-1',
      jobId: 'ended',
      status: 'SUCCEEDED',
      stopping: false,
    });
    expect(unknown.statusCode).toBe(404);
  });

  it.each([
    ['another path', 'GET', '/releases', 404, undefined],
    ['a nested path', 'GET', '/release-jobs/job-1/results', 404, undefined],
    ['GET on the collection', 'GET', '/release-jobs', 405, 'POST'],
    ['PUT on a job', 'PUT', '/release-jobs/job-1', 405, 'GET, DELETE'],
  ])('answers %s (%s %s) with %i', async (_case, method, path, status, allow) => {
    const { call } = api();
    const response = await call(
      httpApiEvent({ method, path, routeKey: '$default', body: undefined }),
    );
    expect(response.statusCode).toBe(status);
    expect(response.headers?.allow).toBe(allow);
    expect(body(response).requestId).toBe('req-1');
  });

  it('reads a REST API (payload 1.0) event alike', async () => {
    const { call } = api();
    const event = restApiEvent({
      method: 'POST',
      path: '/release-jobs',
      body: '{"numbers":["14255551212"]}',
    });
    expect((await call(event)).statusCode).toBe(202);
  });

  it('answers every request 500 naming the setting when the configuration is wrong', async () => {
    // Prepare
    const error = (() => {
      try {
        readApiConfig({ JOBS_BUCKET: 'b-1', RELEASE_JOB_STATE_MACHINE_ARN: 'nope' });
      } catch (thrown) {
        return thrown as ConfigurationError;
      }
    })() as ConfigurationError;
    const { call } = api({ wiring: error });

    // Act
    const response = await call(post({ numbers: ['14255551212'] }));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(body(response)).toMatchObject({
      error: {
        code: 'CONFIGURATION_ERROR',
        message: expect.stringMatching(/RELEASE_JOB_STATE_MACHINE_ARN/),
      },
    });
  });

  it('refuses events that are not HTTP with UnsupportedTriggerError', async () => {
    const { call } = api();
    await expect(call({ jobId: 'job-1' })).rejects.toMatchObject({
      name: 'UnsupportedTriggerError',
    });
  });

  it('logs who started what, under the request id, and refusals as warnings', async () => {
    // Prepare
    const { call } = api();

    // Act
    await call(post({ jobId: 'job-1', numbers: ['14255551212'], dryRun: true }));
    await call(post({ numbers: ['x'] }));

    // Assess
    const lines = output.lines();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'job started',
        jobId: 'job-1',
        total: 1,
        dryRun: true,
        function_request_id: 'req-1',
        caller: expect.objectContaining({ userArn: CALLER_ARN }),
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'request rejected',
        errorName: 'InvalidRequestError',
      }),
    );
  });
});

describe('finalize handler', () => {
  it('answers with the counts, and fails with a named error the execution shows', async () => {
    // Prepare
    const files = new FakeFiles();
    files.objects.set('jobs/job-1/items.json', '[{"number":"14255551212"}]');
    files.objects.set('jobs/job-1/map/m/manifest.json', '{"ResultFiles":{}}');
    const finalize = createFinalizeHandler({
      wiring: { config: readFilesConfig(ENV), files: () => files },
      logger: new Logger({ serviceName: 'jobs-test' }),
    });
    const input = {
      jobId: 'job-1',
      dryRun: false,
      manifest: { Bucket: ENV.JOBS_BUCKET, Key: 'jobs/job-1/map/m/manifest.json' },
    };

    // Act
    const answer = await finalize(input, lambdaContext());
    const failure = finalize({ ...input, jobId: 'x y' }, lambdaContext());

    // Assess
    expect(answer.counts).toMatchObject({ total: 1, failed: 1 });
    await expect(failure).rejects.toMatchObject({ name: 'JobResultsError' });
    expect(output.lines()).toContainEqual(
      expect.objectContaining({ message: 'job finalized', jobId: 'job-1', trigger: 'finalize' }),
    );
  });
});

describe('job API settings', () => {
  it('defaults the concurrency to 4 and the link to 15 minutes, and checks their ranges', () => {
    expect(readApiConfig(ENV)).toEqual({
      jobsBucket: ENV.JOBS_BUCKET,
      stateMachineArn: STATE_MACHINE_ARN,
      maxConcurrency: 4,
      resultsUrlTtlSeconds: 900,
    });
    expect(readApiConfig({ ...ENV, JOB_MAX_CONCURRENCY: '40' }).maxConcurrency).toBe(40);
    for (const bad of [
      { JOB_MAX_CONCURRENCY: '0' },
      { JOB_MAX_CONCURRENCY: '41' },
      { RESULTS_URL_TTL_SECONDS: '3601' },
      { JOBS_BUCKET: '' },
      { JOBS_BUCKET: 'Not_A_Bucket' },
    ]) {
      expect(() => readApiConfig({ ...ENV, ...bad }), JSON.stringify(bad)).toThrow(
        ConfigurationError,
      );
    }
  });
});
