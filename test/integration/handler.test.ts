/**
 * The deployed artifact, dist/release/handler.js, invoked with every kind of event against the
 * CallFire sandbox and the local Secrets Manager over loopback sockets: the real `soap` client and
 * the real AWS SDK run end to end. Nothing is mocked.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CallFireSandbox,
  SANDBOX_CREDENTIALS,
  startCallFireSandbox,
} from '../../local/callfire-sandbox';
import { lambdaContext } from '../../local/lambda-context';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secrets-manager';
import {
  busEvent,
  CALLER_ARN,
  functionUrlEvent,
  httpApiEvent,
  restApiEvent,
  SAMPLE_BODY,
  scheduledEvent,
  sqsBatch,
} from '../fixtures/events';
import { type BundledHandler, captureOutput, loadBundledHandler } from '../helpers/bundled-handler';
import { invokeHttp } from '../helpers/http-answer';

const SECRET_ID = 'callfire/integration';
const secretFor = (credentials: { username: string; password: string }) =>
  JSON.stringify(credentials);

let sandbox: CallFireSandbox;
let secrets: LocalSecretsManager;
const output = captureOutput();

function container(env: Record<string, string | undefined> = {}): BundledHandler {
  return loadBundledHandler({
    CALLFIRE_SOAP_ENDPOINT: sandbox.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    CALLFIRE_SECRET_ID: SECRET_ID,
    CALLFIRE_TIMEOUT_MS: undefined,
    RELEASE_CONCURRENCY: undefined,
    SECRET_CACHE_TTL_SECONDS: undefined,
    AWS_LAMBDA_FUNCTION_NAME: undefined,
    ...env,
  });
}

const http = invokeHttp;

const releaseBody = (request: object) => JSON.stringify(request);
const autoRenewOf = (number: string) =>
  sandbox.account.numbers.find((entry) => entry.number === number)?.autoRenew;
const releaseCalls = () => sandbox.calls.filter((call) => call.operation === 'Release');

beforeAll(async () => {
  sandbox = await startCallFireSandbox();
  secrets = await startLocalSecretsManager();
});

afterAll(async () => {
  output.restore();
  await sandbox?.close();
  await secrets?.close();
});

beforeEach(() => {
  sandbox.reset();
  secrets.reset();
  secrets.setSecret(SECRET_ID, secretFor(SANDBOX_CREDENTIALS));
});

describe('bundled handler over HTTP', () => {
  it.each([
    [
      'HTTP API (payload 2.0)',
      () => httpApiEvent({ body: releaseBody({ numbers: ['+1 (425) 555-1212'] }) }),
    ],
    [
      'HTTP API on a named stage',
      () =>
        httpApiEvent({
          routeKey: '$default',
          stage: 'prod',
          body: releaseBody({ numbers: ['14255551212'] }),
        }),
    ],
    ['function URL', () => functionUrlEvent({ body: releaseBody({ numbers: ['14255551212'] }) })],
    [
      'REST API (payload 1.0)',
      () => restApiEvent({ body: releaseBody({ numbers: ['14255551212'] }) }),
    ],
    [
      'REST API, base64 body',
      () =>
        restApiEvent({
          base64: true,
          resource: '/{proxy+}',
          body: releaseBody({ numbers: ['14255551212'] }),
        }),
    ],
    [
      'HTTP API, base64 body',
      () => httpApiEvent({ base64: true, body: releaseBody({ numbers: ['14255551212'] }) }),
    ],
  ])('%s: releases and answers 200', async (_name, event) => {
    const handler = container();

    const answer = await http(handler, event());

    expect(answer.statusCode).toBe(200);
    expect(answer.body.summary).toEqual({ requested: 1, released: 1, skipped: 0, failed: 0 });
    expect(answer.body.results).toEqual([
      { kind: 'number', number: '14255551212', outcome: 'released' },
    ]);
    expect(autoRenewOf('14255551212')).toBe(false);
    expect(releaseCalls()).toEqual([
      expect.objectContaining({ number: '14255551212', authorized: true, status: 200 }),
    ]);
  });

  it('releases numbers and keywords together, keywords in the account spelling on their short code', async () => {
    const handler = container();
    const body = releaseBody({
      numbers: ['14255551212', '4255551213', '14255551212'],
      keywords: [
        'vanilla',
        { keyword: 'mintchip', shortCode: '67076' },
        { keyword: 'CHOCOLATE', shortCode: '99000' },
      ],
      confirmKeywordRelease: true,
    });

    const answer = await http(handler, httpApiEvent({ body }));

    expect(answer.statusCode).toBe(200);
    expect(answer.body.summary).toEqual({ requested: 5, released: 5, skipped: 0, failed: 0 });
    expect(answer.body.results).toEqual([
      { kind: 'number', number: '14255551212', outcome: 'released' },
      { kind: 'number', number: '14255551213', outcome: 'released' },
      { kind: 'keyword', keyword: 'VANILLA', shortCode: '67076', outcome: 'released' },
      { kind: 'keyword', keyword: 'MintChip', shortCode: '67076', outcome: 'released' },
      { kind: 'keyword', keyword: 'CHOCOLATE', shortCode: '99000', outcome: 'released' },
    ]);
    const keywordCalls = releaseCalls().filter((call) => call.keyword !== undefined);
    expect(keywordCalls.map((call) => `${call.number}/${call.keyword}`).sort()).toEqual([
      '67076/MintChip',
      '67076/VANILLA',
      '99000/CHOCOLATE',
    ]);
    const chocolate = sandbox.account.keywords.filter((entry) => entry.keyword === 'CHOCOLATE');
    expect(chocolate.map((entry) => [entry.shortCode, entry.autoRenew])).toEqual(
      expect.arrayContaining([
        ['99000', false],
        ['67076', true],
      ]),
    );
  });

  it('answers 207 when some items fail, with each failure named', async () => {
    const handler = container();

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212', '14255550000'] }) }),
    );

    expect(answer.statusCode).toBe(207);
    expect(answer.body.summary).toEqual({ requested: 2, released: 1, skipped: 0, failed: 1 });
    expect(answer.body.results?.[1]).toEqual({
      kind: 'number',
      number: '14255550000',
      outcome: 'failed',
      error: { code: 'NOT_FOUND', message: expect.stringContaining('NOT_FOUND'), retryable: false },
    });
  });

  it('answers 502 when no item succeeds', async () => {
    const handler = container();

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255550000', '14255550001'] }) }),
    );

    expect(answer.statusCode).toBe(502);
    expect(answer.body.summary).toEqual({ requested: 2, released: 0, skipped: 0, failed: 2 });
    expect(answer.body.results?.map((result) => result.error?.code)).toEqual([
      'NOT_FOUND',
      'NOT_FOUND',
    ]);
  });

  it('fails an unknown keyword NOT_FOUND and an ambiguous one AMBIGUOUS_KEYWORD, releasing the rest', async () => {
    const handler = container();
    const body = releaseBody({
      keywords: ['CHOCOLATE', 'NOSUCHWORD', 'VANILLA'],
      confirmKeywordRelease: true,
    });

    const answer = await http(handler, httpApiEvent({ body }));

    expect(answer.statusCode).toBe(207);
    const [chocolate, unknown, vanilla] = answer.body.results ?? [];
    expect(chocolate).toMatchObject({
      keyword: 'CHOCOLATE',
      outcome: 'failed',
      error: { code: 'AMBIGUOUS_KEYWORD', retryable: false },
    });
    expect(String((chocolate?.error as { message?: string })?.message)).toMatch(
      /67076.*99000|99000.*67076/,
    );
    expect(unknown).toMatchObject({
      keyword: 'NOSUCHWORD',
      outcome: 'failed',
      error: { code: 'NOT_FOUND' },
    });
    expect(vanilla).toMatchObject({ keyword: 'VANILLA', shortCode: '67076', outcome: 'released' });
    expect(releaseCalls().map((call) => call.keyword)).toEqual(['VANILLA']);
  });

  it('reads every page of the account keywords to resolve one', async () => {
    const handler = container();
    sandbox.maxPageSize = 2;

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ keywords: ['MintChip'], confirmKeywordRelease: true }) }),
    );

    expect(answer.statusCode).toBe(200);
    const pages = sandbox.calls.filter((call) => call.operation === 'QueryKeywords');
    expect(pages.length).toBe(Math.ceil(sandbox.account.keywords.length / 2));
  });

  it('refuses keywords without confirmKeywordRelease and sends nothing to CallFire', async () => {
    const handler = container();

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212'], keywords: ['VANILLA'] }) }),
    );

    expect(answer.statusCode).toBe(400);
    expect(answer.body.errors).toEqual([
      { path: 'confirmKeywordRelease', message: expect.stringContaining('one month') },
    ]);
    expect(sandbox.calls).toEqual([]);
    expect(secrets.requests).toEqual([]);
  });

  it('answers 400 for a body that is not JSON, and 413 for too many items', async () => {
    const handler = container();
    const numbers = Array.from({ length: 101 }, (_, index) => String(13125550000 + index));

    const notJson = await http(handler, httpApiEvent({ body: '{"numbers": [' }));
    const tooMany = await http(handler, httpApiEvent({ body: releaseBody({ numbers }) }));

    expect(notJson.statusCode).toBe(400);
    expect(notJson.body.errors?.[0]?.message).toContain('not valid JSON');
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.body.error?.message).toContain('at most 100 items');
    expect(sandbox.calls).toEqual([]);
  });

  it('answers JSON 404 for another path and 405 for another method', async () => {
    const handler = container();

    const other = await http(handler, httpApiEvent({ path: '/iam' }));
    const get = await http(handler, httpApiEvent({ method: 'GET', body: undefined }));

    expect(other.statusCode).toBe(404);
    expect(other.body.error?.message).toContain('POST /releases');
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('previews a dry run with lease details and releases nothing', async () => {
    const handler = container();
    const body = releaseBody({
      numbers: ['14255551212', '14255551214', '14255550000'],
      keywords: ['strawberry'],
      dryRun: true,
    });

    const answer = await http(handler, httpApiEvent({ body }));

    expect(answer.statusCode).toBe(207);
    expect(answer.body.dryRun).toBe(true);
    expect(answer.body.summary).toEqual({
      requested: 4,
      wouldRelease: 1,
      alreadyReleased: 2,
      skipped: 0,
      failed: 1,
    });
    const [renewing, notRenewing, missing, keyword] = answer.body.results ?? [];
    expect(renewing).toMatchObject({
      number: '14255551212',
      outcome: 'wouldRelease',
      lease: {
        status: 'ACTIVE',
        autoRenew: true,
        leaseEnd: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      },
    });
    expect(notRenewing).toMatchObject({
      number: '14255551214',
      outcome: 'alreadyReleased',
      lease: { autoRenew: false },
    });
    expect(missing).toMatchObject({ outcome: 'failed', error: { code: 'NOT_FOUND' } });
    expect(keyword).toMatchObject({
      keyword: 'STRAWBERRY',
      shortCode: '67076',
      outcome: 'alreadyReleased',
    });
    expect(releaseCalls()).toEqual([]);
    expect(autoRenewOf('14255551212')).toBe(true);
  });

  it('retries transient failures (fault, HTTP 503, connection reset) and then succeeds', async () => {
    const handler = container();
    sandbox.injectFault({
      target: '14255551212',
      fault: { type: 'fault', code: 'UNAVAILABLE' },
      times: 2,
    });
    sandbox.injectFault({
      target: '14255551213',
      fault: { type: 'http', status: 503, body: '<html>busy</html>' },
    });
    sandbox.injectFault({ target: '18005550100', fault: { type: 'reset' } });
    const logged = output.lines().length;

    const answer = await http(
      handler,
      httpApiEvent({
        body: releaseBody({ numbers: ['14255551212', '14255551213', '18005550100'] }),
      }),
    );

    expect(answer.statusCode).toBe(200);
    const attemptsFor = (number: string) =>
      releaseCalls().filter((call) => call.number === number).length;
    expect([
      attemptsFor('14255551212'),
      attemptsFor('14255551213'),
      attemptsFor('18005550100'),
    ]).toEqual([3, 2, 2]);
    const auditLine = output
      .lines()
      .slice(logged)
      .find(
        (line) =>
          line.message === 'item released' &&
          (line.item as { number?: string })?.number === '14255551212',
      );
    expect(auditLine).toMatchObject({
      attempts: 3,
      outcome: 'released',
      trigger: 'http-api',
      caller: { userArn: CALLER_ARN },
    });
  });

  it.each([
    [
      '503 with a JSON body',
      { type: 'http', status: 503, body: '{"message":"down"}', contentType: 'application/json' },
      'UPSTREAM_HTTP',
      true,
    ],
    ['200 with an empty body', { type: 'http', status: 200, body: '' }, 'UPSTREAM_HTTP', false],
    [
      '401 with a JSON body',
      {
        type: 'http',
        status: 401,
        body: '{"error":"unauthorized"}',
        contentType: 'application/json',
      },
      'CREDENTIALS_REJECTED',
      false,
    ],
  ] as const)(
    'never counts an answer without a SOAP envelope (%s) as released',
    async (_name, fault, code, retryable) => {
      const handler = container();
      sandbox.injectFault({ target: '14255551212', fault, times: Number.POSITIVE_INFINITY });

      const answer = await http(
        handler,
        httpApiEvent({ body: releaseBody({ numbers: ['14255551212', '14255551213'] }) }),
      );

      expect(answer.statusCode).toBe(207);
      expect(answer.body.results?.[0]).toMatchObject({
        number: '14255551212',
        outcome: 'failed',
        error: { code, retryable },
      });
      expect(answer.body.results?.[1]).toMatchObject({
        number: '14255551213',
        outcome: 'released',
      });
    },
  );

  it('times out a call that hangs and retries it', async () => {
    const handler = container({ CALLFIRE_TIMEOUT_MS: '300' });
    sandbox.injectFault({ target: '14255551212', fault: { type: 'hang' } });

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212'] }) }),
    );

    expect(answer.statusCode).toBe(200);
    expect(releaseCalls().length).toBe(2);
  });

  it('fails TIMEOUT when CallFire never answers within CALLFIRE_TIMEOUT_MS, after 3 attempts and a look-up', async () => {
    const handler = container({ CALLFIRE_TIMEOUT_MS: '300' });
    sandbox.injectFault({
      operation: 'Release',
      target: '14255551212',
      fault: { type: 'hang' },
      times: Number.POSITIVE_INFINITY,
    });

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212'] }) }),
    );

    expect(answer.statusCode).toBe(502);
    expect(answer.body.results?.[0]?.error).toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('300 ms'),
      retryable: true,
    });
    expect(releaseCalls().length).toBe(3);
    // The answers were lost after sending: the number was looked up, and auto-renew was still on.
    expect(sandbox.calls.filter((call) => call.operation === 'GetNumber')).toHaveLength(1);
  });

  it('gives up after 3 attempts: HTTP 502 with a retryable error, logged as a warning', async () => {
    const handler = container();
    sandbox.injectFault({
      target: '14255551212',
      fault: { type: 'fault', code: 'TIMEOUT' },
      times: Number.POSITIVE_INFINITY,
    });
    const logged = output.lines().length;

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212'] }) }),
    );

    expect(answer.statusCode).toBe(502);
    expect(answer.body.results?.[0]?.error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(releaseCalls().length).toBe(3);
    const itemLine = output
      .lines()
      .slice(logged)
      .find((line) => String(line.message).startsWith('item failed'));
    expect(itemLine).toMatchObject({ level: 'WARN', errorCode: 'TIMEOUT', retryable: true });
  });

  it('answers before the invocation deadline: OUTCOME_UNKNOWN for what was sent, DEADLINE for what was not', async () => {
    const handler = container({ RELEASE_CONCURRENCY: '1' });
    sandbox.injectFault({
      target: '14255551212',
      fault: { type: 'hang' },
      times: Number.POSITIVE_INFINITY,
    });

    const started = Date.now();
    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212', '14255551213'] }) }),
      2_500,
    );

    expect(answer.statusCode).toBe(502);
    expect(answer.body.results?.map((item) => item.error?.code)).toEqual([
      'OUTCOME_UNKNOWN',
      'DEADLINE',
    ]);
    expect(answer.body.results?.every((item) => item.error?.retryable)).toBe(true);
    expect(releaseCalls().map((call) => call.number)).toEqual(['14255551212']);
    // Answered inside the invocation's 2.5 s, not after CallFire's 10 s call timeout.
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('re-reads a rotated secret once after CallFire answers 401, then succeeds', async () => {
    const handler = container();
    await http(handler, httpApiEvent({ body: releaseBody({ numbers: ['14255551213'] }) }));
    const rotated = { username: SANDBOX_CREDENTIALS.username, password: 'rotated-Pa55-2026!' };
    sandbox.credentials = rotated;
    secrets.setSecret(SECRET_ID, secretFor(rotated));
    const readsBefore = secrets.requests.length;

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212', '18005550100'] }) }),
    );

    expect(answer.statusCode).toBe(200);
    expect(secrets.requests.length - readsBefore).toBe(1);
    expect(sandbox.calls.filter((call) => !call.authorized).length).toBeGreaterThanOrEqual(1);
    expect(autoRenewOf('14255551212')).toBe(false);
  });

  it('answers 500 naming the secret when CallFire rejects its credentials even after a fresh read', async () => {
    // One item at a time, so the items after the first show whether they were still sent.
    const handler = container({ RELEASE_CONCURRENCY: '1' });
    secrets.setSecret(SECRET_ID, secretFor({ username: 'someone', password: 'wrong-password-42' }));

    const answer = await http(
      handler,
      httpApiEvent({
        body: releaseBody({ numbers: ['14255551212', '14255551213', '18005550100'] }),
      }),
    );

    expect(answer.statusCode).toBe(500);
    expect(answer.body.error).toMatchObject({
      code: 'CONFIGURATION_ERROR',
      message: expect.stringContaining(SECRET_ID),
    });
    // After the fresh read is rejected too, no further item is sent with those credentials.
    // The first item: once with the cached secret, once after reading it again; the rest: not sent.
    expect(sandbox.calls.map((call) => [call.number, call.authorized])).toEqual([
      ['14255551212', false],
      ['14255551212', false],
    ]);
    expect(secrets.requests.length).toBe(2);
    expect(answer.body.error?.message).not.toContain('wrong-password-42');
  });

  it.each([
    ['missing', () => secrets.deleteSecret(SECRET_ID), 'was not found'],
    [
      'not JSON',
      () => secrets.setSecret(SECRET_ID, 'user=a;password=hunter2-secret'),
      'is not JSON',
    ],
    [
      'lacking the password',
      () => secrets.setSecret(SECRET_ID, '{"username":"sandbox-api-login"}'),
      'lacks password',
    ],
    ['access denied', () => secrets.denyAccess(SECRET_ID), 'access denied'],
  ])(
    'answers 500 when the secret is %s, naming the problem and never its content',
    async (_name, arrange, problem) => {
      const handler = container();
      arrange();

      const answer = await http(
        handler,
        httpApiEvent({ body: releaseBody({ numbers: ['14255551212'] }) }),
      );

      expect(answer.statusCode).toBe(500);
      expect(answer.body.error?.code).toBe('CONFIGURATION_ERROR');
      expect(answer.body.error?.message).toContain(problem);
      expect(answer.body.error?.message).toContain(SECRET_ID);
      expect(JSON.stringify(answer.body)).not.toContain('hunter2');
      expect(sandbox.calls).toEqual([]);
    },
  );

  it('answers 503 with Retry-After while Secrets Manager keeps throttling', async () => {
    const handler = container();
    secrets.failNext('ThrottlingException', 10);

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212'] }) }),
    );

    expect(answer.statusCode).toBe(503);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(answer.body.error?.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(sandbox.calls).toEqual([]);
  });

  it('rides out one throttled read thanks to the SDK retry', async () => {
    const handler = container();
    secrets.failNext('ThrottlingException', 1);

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212'] }) }),
    );

    expect(answer.statusCode).toBe(200);
    expect(secrets.requests.length).toBe(2);
  });

  it('reads the secret once across many invocations within the cache TTL', async () => {
    const handler = container();

    for (const number of [
      '14255551212',
      '14255551213',
      '18005550100',
      '13125550000',
      '13125550001',
    ]) {
      const answer = await http(
        handler,
        httpApiEvent({ body: releaseBody({ numbers: [number] }) }),
      );
      expect(answer.statusCode).toBe(200);
    }

    expect(
      secrets.requests.filter((request) => request.target === 'secretsmanager.GetSecretValue')
        .length,
    ).toBe(1);
  });

  it('reads the secret again once the TTL has passed', async () => {
    const handler = container({ SECRET_CACHE_TTL_SECONDS: '0' });

    await http(handler, httpApiEvent({ body: releaseBody({ numbers: ['14255551212'] }) }));
    await http(handler, httpApiEvent({ body: releaseBody({ numbers: ['14255551213'] }) }));

    expect(secrets.requests.length).toBe(2);
  });

  it('answers 500 naming the variable when the deployment lacks CALLFIRE_SECRET_ID', async () => {
    const handler = container({ CALLFIRE_SECRET_ID: undefined });

    const answer = await http(
      handler,
      httpApiEvent({ body: releaseBody({ numbers: ['14255551212'] }) }),
    );

    expect(answer.statusCode).toBe(500);
    expect(answer.body.error?.message).toContain('CALLFIRE_SECRET_ID');
  });
});

describe('bundled handler on asynchronous and direct invocations', () => {
  // A rule's or a schedule's constant Input arrives as the plain request: the direct invocation.
  it.each([
    [
      'a direct invocation / Step Functions payload / constant Input',
      (request: object) => request,
      'direct',
    ],
    ['an EventBridge bus event', (request: object) => busEvent(request), 'eventbridge'],
  ])('%s: returns the result', async (_name, wrap, trigger) => {
    const handler = container();
    const request = {
      numbers: ['14255551212'],
      keywords: ['VANILLA'],
      confirmKeywordRelease: true,
    };
    const logged = output.lines().length;

    const result = (await handler(wrap(request), lambdaContext())) as {
      summary: object;
      results: object[];
    };

    expect(result.summary).toEqual({ requested: 2, released: 2, skipped: 0, failed: 0 });
    expect(autoRenewOf('14255551212')).toBe(false);
    const itemLines = output
      .lines()
      .slice(logged)
      .filter((line) => line.message === 'item released');
    expect(itemLines.map((line) => line.trigger)).toEqual([trigger, trigger]);
  });

  it('returns the result when only permanent failures remain, logging them as errors', async () => {
    const handler = container();
    const logged = output.lines().length;

    const result = (await handler(
      { numbers: ['14255551212', '14255550000'] },
      lambdaContext(),
    )) as {
      summary: object;
    };

    expect(result.summary).toEqual({ requested: 2, released: 1, skipped: 0, failed: 1 });
    const errorLine = output
      .lines()
      .slice(logged)
      .find((line) => line.level === 'ERROR' && line.errorCode === 'NOT_FOUND');
    expect(errorLine).toMatchObject({ trigger: 'direct', item: { number: '14255550000' } });
  });

  it('throws ReleaseIncompleteError naming the items that may succeed on retry', async () => {
    const handler = container();
    sandbox.injectFault({
      target: '14255551213',
      fault: { type: 'fault', code: 'UNAVAILABLE' },
      times: Number.POSITIVE_INFINITY,
    });

    const logged = output.lines().length;

    const invocation = handler({ numbers: ['14255551212', '14255551213'] }, lambdaContext());

    await expect(invocation).rejects.toMatchObject({
      name: 'ReleaseIncompleteError',
      message: expect.stringContaining('14255551213 UNAVAILABLE'),
    });
    expect(autoRenewOf('14255551212')).toBe(false);
    // A retry follows: a warning, not one of the ERROR lines someone must act on.
    const failure = output
      .lines()
      .slice(logged)
      .find((line) => line.errorName === 'ReleaseIncompleteError');
    expect(failure).toMatchObject({
      level: 'WARN',
      message: 'release incomplete: a retry follows',
    });
  });

  it.each([
    ['a scheduled event without constant Input', () => scheduledEvent(), /constant Input/],
    [
      'a bus event whose detail lacks confirmation',
      () => busEvent({ numbers: ['14255551212'], keywords: ['VANILLA'] }),
      /detail\.confirmKeywordRelease/,
    ],
    ['a payload with a typo', () => ({ number: ['14255551212'] }), /number: unknown field/],
  ])('throws InvalidRequestError for %s and sends nothing', async (_name, event, message) => {
    const handler = container();

    await expect(handler(event(), lambdaContext())).rejects.toMatchObject({
      name: 'InvalidRequestError',
      message: expect.stringMatching(message),
    });
    expect(sandbox.calls).toEqual([]);
  });

  it('throws ConfigurationError and DependencyUnavailableError by name', async () => {
    const handler = container();
    secrets.deleteSecret(SECRET_ID);
    await expect(handler({ numbers: ['14255551212'] }, lambdaContext())).rejects.toMatchObject({
      name: 'ConfigurationError',
    });

    const fresh = container();
    secrets.setSecret(SECRET_ID, secretFor(SANDBOX_CREDENTIALS));
    secrets.failNext('ServiceUnavailable', 10);
    await expect(fresh({ numbers: ['14255551212'] }, lambdaContext())).rejects.toMatchObject({
      name: 'DependencyUnavailableError',
    });
  });

  it('answers an SQS batch with the records to retry: invalid or retryably failing, not done', async () => {
    const handler = container();
    sandbox.injectFault({
      fault: { type: 'fault', code: 'UNAVAILABLE' },
      target: '14255551213',
      times: Number.POSITIVE_INFINITY,
    });
    const event = sqsBatch([
      releaseBody({ numbers: ['14255551212'] }),
      releaseBody({ numbers: ['14255551212'], keywords: ['VANILLA'] }),
      releaseBody({ numbers: ['14255551213'] }),
      releaseBody({ numbers: ['14255550000'] }),
    ]);
    const logged = output.lines().length;

    const response = (await handler(event, lambdaContext())) as SQSBatchResponse;

    const failed = response.batchItemFailures.map((failure) => failure.itemIdentifier);
    expect(failed.sort()).toEqual(['message-2', 'message-3']);
    // Every failed message is logged with its id.
    const failureLines = output
      .lines()
      .slice(logged)
      .filter((line) => typeof line.errorName === 'string');
    expect(failureLines.map((line) => line.messageId).sort()).toEqual(['message-2', 'message-3']);
    expect(autoRenewOf('14255551212')).toBe(false);
    expect(releaseCalls().map((call) => call.number)).not.toContain('67076');
    expect(releaseCalls().filter((call) => call.number === '14255551213')).toHaveLength(3);
    expect(releaseCalls().filter((call) => call.number === '14255550000')).toHaveLength(1);
  });

  it('handles the SQS sample event: its keyword release lacks the confirmation, so both records are retried', async () => {
    const handler = container();
    const sample = sqsBatch([SAMPLE_BODY, SAMPLE_BODY]);

    const response = (await handler(sample, lambdaContext())) as SQSBatchResponse;

    expect(response.batchItemFailures).toHaveLength(2);
    expect(sandbox.calls).toEqual([]);
  });
});

describe('bundled handler output', () => {
  it('emits EMF metrics for releases, failures by code and CallFire latency, per function', async () => {
    const handler = container({ AWS_LAMBDA_FUNCTION_NAME: 'callfire-release-test' });
    const before = output.lines().length;

    await handler({ numbers: ['14255551212', '14255550000'] }, lambdaContext());

    const emf = output
      .lines()
      .slice(before)
      .filter((line) => '_aws' in line);
    expect(emf.find((line) => 'Released' in line)).toMatchObject({
      Released: 1,
      Failed: 1,
      CallFireLatency: expect.anything(),
    });
    expect(emf.find((line) => line.ErrorCode === 'NOT_FOUND')).toMatchObject({ Failed: 1 });
    expect(emf.every((line) => line.FunctionName === 'callfire-release-test')).toBe(true);
  });

  it('records only CallFire latency for a dry run: it releases nothing and skips nothing', async () => {
    const handler = container({ AWS_LAMBDA_FUNCTION_NAME: 'callfire-release-test' });
    const before = output.lines().length;

    await handler({ numbers: ['14255551212', '14255550000'], dryRun: true }, lambdaContext());

    const emf = output
      .lines()
      .slice(before)
      .filter((line) => '_aws' in line);
    expect(emf.some((line) => 'CallFireLatency' in line)).toBe(true);
    for (const name of ['Released', 'Skipped', 'Failed']) {
      expect(emf.filter((line) => name in line)).toEqual([]);
    }
  });

  // Runs last in the file: everything every test above logged.
  it('never logged the password or an Authorization header', () => {
    const everything = output.text();
    const basic = Buffer.from(
      `${SANDBOX_CREDENTIALS.username}:${SANDBOX_CREDENTIALS.password}`,
    ).toString('base64');

    expect(everything.length).toBeGreaterThan(1_000);
    for (const secret of [
      SANDBOX_CREDENTIALS.password,
      'rotated-Pa55-2026!',
      'wrong-password-42',
      'hunter2',
      basic,
      'Basic ',
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});
