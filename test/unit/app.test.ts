import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHandler, type HandlerDeps, HTTP_BUDGET_MS } from '../../functions/release/app';
import type { NumberService } from '../../functions/release/callfire/number-service';
import { type Config, readConfig } from '../../functions/release/config';
import type { CredentialsSource } from '../../functions/release/credentials/secret-credentials';
import {
  CallFireError,
  ConfigurationError,
  DependencyUnavailableError,
  type InvalidRequestError,
} from '../../functions/release/errors';
import {
  NO_PROTECTED_ITEMS_SOURCE,
  type ProtectedItemsSource,
} from '../../functions/release/protection/protected-items-source';
import { parseProtectedList } from '../../functions/release/protection/protected-list';
import type { HttpResponse } from '../../functions/release/triggers/http-answer';
import { lambdaContext } from '../../local/lambda-context';
import {
  albEvent,
  busEvent,
  functionUrlEvent,
  httpApiEvent,
  restApiEvent,
  scheduledEvent,
  sqsBatch,
  sqsEvent,
} from '../fixtures/events';
import { type FakeCredentials, fakeCredentials, ROTATED } from '../helpers/unit-credentials';
import {
  accountKeyword,
  activeLease,
  type FakeNumberService,
  type FakeNumberServiceOptions,
  fakeNumberService,
} from '../helpers/unit-number-service';

const SECRET_ID = 'prod/callfire/api';
const NUMBERS_BODY = JSON.stringify({ numbers: ['14255551212', '14255551213'] });

const CONFIG: Config = {
  secretId: SECRET_ID,
  soapEndpoint: 'http://127.0.0.1:9/unused',
  callTimeoutMs: 1_000,
  concurrency: 8,
  secretCacheTtlSeconds: 300,
  protectedItemsParameter: undefined,
  protectedItemsTtlSeconds: 60,
  maxEventAgeSeconds: 86_400,
};

interface Given {
  numberService?: FakeNumberServiceOptions;
  credentials?: Parameters<typeof fakeCredentials>[0];
  /** Replaces the whole wiring (a bad deploy). */
  wiring?: ConfigurationError;
  /** Replaces the NumberService factory (a client that failed to build). */
  numberServiceFactory?: () => Promise<NumberService>;
  config?: Partial<Config>;
  protectedItems?: ProtectedItemsSource;
}

/** The client being built since init, as handler.ts starts it (a failure is kept, not thrown). */
function building(factory: () => Promise<NumberService>): Promise<NumberService> {
  const client = factory();
  client.catch(() => {});
  return client;
}

/** A handler wired to fakes, with the real Powertools Logger (silent) and Metrics (disabled). */
function givenHandler(given: Given = {}) {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const numberService: FakeNumberService = fakeNumberService(given.numberService);
  const credentials: FakeCredentials = fakeCredentials(given.credentials);
  const deps: HandlerDeps = {
    wiring: given.wiring ?? {
      config: { ...CONFIG, ...given.config },
      numberService: building(given.numberServiceFactory ?? (async () => numberService)),
      credentials: credentials satisfies CredentialsSource,
      protectedItems: given.protectedItems ?? NO_PROTECTED_ITEMS_SOURCE,
    },
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
  };
  return { handler: createHandler(deps), numberService, credentials };
}

/** Every HTTP answer: JSON, carrying the Lambda request id in a header and in the body. */
function answerOf(
  response: unknown,
  context: Context,
): { status: number; body: Record<string, unknown>; headers: Record<string, unknown> } {
  const http = response as HttpResponse;
  expect(http.headers).toMatchObject({
    'content-type': 'application/json',
    'x-lambda-request-id': context.awsRequestId,
  });
  expect(typeof http.body).toBe('string');
  const body = JSON.parse(http.body as string) as Record<string, unknown>;
  expect(body.requestId).toBe(context.awsRequestId);
  return {
    status: http.statusCode as number,
    body,
    headers: http.headers as Record<string, unknown>,
  };
}

async function rejectionOf(pending: Promise<unknown>): Promise<Error> {
  try {
    await pending;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('the handler resolved instead of throwing');
}

const notFound = (number: string) =>
  new CallFireError('NOT_FOUND', `CallFire fault NOT_FOUND: ${number}`, false);
const unavailable = () => new CallFireError('UNAVAILABLE', 'CallFire fault UNAVAILABLE', true);

describe('release handler (createHandler)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('HTTP: results', () => {
    it.each([
      ['every item released', {}, 200, { requested: 2, released: 2, skipped: 0, failed: 0 }],
      [
        'some released, some failed',
        { script: { '14255551213': [notFound('14255551213')] } },
        207,
        { requested: 2, released: 1, skipped: 0, failed: 1 },
      ],
      [
        'no item succeeded',
        {
          script: {
            '14255551212': [notFound('14255551212')],
            '14255551213': [notFound('14255551213')],
          },
        },
        502,
        { requested: 2, released: 0, skipped: 0, failed: 2 },
      ],
    ])('answers %s with %i and the per-item results', async (_case, fake, status, summary) => {
      // Prepare
      const { handler } = givenHandler({ numberService: fake });
      const context = lambdaContext();

      // Act
      const response = await handler(httpApiEvent({ body: NUMBERS_BODY }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(status);
      expect(answer.body.summary).toEqual(summary);
      expect(answer.body.dryRun).toBe(false);
      expect((answer.body.results as unknown[]).length).toBe(2);
    });

    it.each([
      ['HTTP API', () => httpApiEvent({ body: NUMBERS_BODY })],
      [
        'HTTP API, $default route on a named stage',
        () => httpApiEvent({ body: NUMBERS_BODY, routeKey: '$default', stage: 'prod' }),
      ],
      ['function URL', () => functionUrlEvent({ body: NUMBERS_BODY })],
      ['REST API', () => restApiEvent({ body: NUMBERS_BODY })],
      [
        'REST API proxy resource',
        () => restApiEvent({ body: NUMBERS_BODY, resource: '/{proxy+}' }),
      ],
      ['HTTP API, base64 body', () => httpApiEvent({ body: NUMBERS_BODY, base64: true })],
      ['REST API, base64 body', () => restApiEvent({ body: NUMBERS_BODY, base64: true })],
    ])('releases through %s: 200', async (_case, build) => {
      // Prepare
      const { handler, numberService } = givenHandler();
      const context = lambdaContext();

      // Act
      const response = await handler(build(), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(200);
      expect(answer.body.results).toEqual([
        { kind: 'number', number: '14255551212', outcome: 'released' },
        { kind: 'number', number: '14255551213', outcome: 'released' },
      ]);
      expect(numberService.callsTo('Release')).toHaveLength(2);
    });

    it('answers a dry run with nothing failed 200, and sends no Release', async () => {
      // Prepare
      const { handler, numberService } = givenHandler({
        numberService: {
          leases: { '14255551212': activeLease() },
          keywords: [accountKeyword('VANILLA', '67076', { autoRenew: false })],
        },
      });
      const context = lambdaContext();
      const body = JSON.stringify({
        numbers: ['14255551212'],
        keywords: ['vanilla'],
        dryRun: true,
      });

      // Act
      const response = await handler(httpApiEvent({ body }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(200);
      expect(answer.body.summary).toEqual({
        requested: 2,
        wouldRelease: 1,
        alreadyReleased: 1,
        skipped: 0,
        failed: 0,
      });
      expect(numberService.callsTo('Release')).toHaveLength(0);
    });
  });

  describe('HTTP: rejected requests (nothing sent to CallFire)', () => {
    it.each([
      ['a body that is not JSON', '{"numbers": [', '', 'the body is not valid JSON'],
      ['an empty body', '', '', 'the body is empty'],
      ['a JSON null', 'null', '', 'must be a JSON object'],
      ['an invalid number', '{"numbers":["555-CALL"]}', 'numbers[0]', 'is not a phone number'],
      ['an unknown field', '{"number":["14255551212"]}', 'number', 'unknown field'],
      [
        'keywords without confirmation',
        '{"numbers":["14255551212"],"keywords":["VANILLA"]}',
        'confirmKeywordRelease',
        'must be true to release keywords',
      ],
    ])('400 for %s, with errors[]', async (_case, body, path, fragment) => {
      // Prepare
      const { handler, numberService, credentials } = givenHandler();
      const context = lambdaContext();

      // Act
      const response = await handler(httpApiEvent({ body }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({
        code: 'INVALID_REQUEST',
        message: expect.stringContaining(fragment),
      });
      expect(answer.body.errors).toContainEqual({
        path,
        message: expect.stringContaining(fragment),
      });
      expect(numberService.calls).toHaveLength(0);
      expect(credentials.getCalls).toBe(0);
    });

    it('400 for an HTTP API event without a body key', async () => {
      // Prepare
      const { handler, numberService } = givenHandler();
      const context = lambdaContext();
      const event = httpApiEvent();
      delete event.body;

      // Act
      const response = await handler(event, context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        { path: '', message: 'the body is empty: send the release request as JSON' },
      ]);
      expect(numberService.calls).toHaveLength(0);
    });

    it('413 for 101 items, stating the limit', async () => {
      // Prepare
      const { handler, numberService } = givenHandler();
      const context = lambdaContext();
      const numbers = Array.from(
        { length: 101 },
        (_, index) => `1425555${String(index).padStart(4, '0')}`,
      );

      // Act
      const response = await handler(httpApiEvent({ body: JSON.stringify({ numbers }) }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(413);
      expect(answer.body.error).toEqual({
        code: 'REQUEST_TOO_LARGE',
        message: expect.stringContaining('at most 100 items'),
      });
      expect(answer.body.errors).toEqual([
        { path: '', message: 'at most 100 items per request (numbers plus keywords); got 101' },
      ]);
      expect(numberService.calls).toHaveLength(0);
    });

    it.each([
      ['one byte over, plain', 256 * 1024 + 1, false],
      ['one byte over, base64 (measured decoded)', 256 * 1024 + 1, true],
      ['1 MB, plain', 1024 * 1024, false],
    ])('413 for a body over 256 KB (%s)', async (_case, bytes, base64) => {
      // Prepare
      const { handler, numberService } = givenHandler();
      const context = lambdaContext();
      const start = '{"numbers":["14255551212"]';
      const body = `${start}${' '.repeat(bytes - start.length - 1)}}`;
      expect(Buffer.byteLength(body)).toBe(bytes);

      // Act
      const response = await handler(httpApiEvent({ body, base64 }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(413);
      expect(answer.body.errors).toEqual([{ path: '', message: 'the body is larger than 256 KB' }]);
      expect(numberService.calls).toHaveLength(0);
    });

    it('accepts a body of exactly 256 KB', async () => {
      // Prepare
      const { handler } = givenHandler();
      const context = lambdaContext();
      const start = '{"numbers":["14255551212"]';
      const body = `${start}${' '.repeat(256 * 1024 - start.length - 1)}}`;

      // Act
      const response = await handler(httpApiEvent({ body }), context);

      // Assess
      expect(Buffer.byteLength(body)).toBe(256 * 1024);
      expect(answerOf(response, context).status).toBe(200);
    });
  });

  describe('HTTP: routes and methods', () => {
    it.each([
      [
        'another path',
        () => httpApiEvent({ path: '/other' }),
        'No route POST /other: use POST /releases',
      ],
      [
        'a $default route elsewhere',
        () => httpApiEvent({ routeKey: '$default', stage: 'prod', path: '/' }),
        'No route POST /: use POST /releases',
      ],
      [
        'a function URL path',
        () => functionUrlEvent({ method: 'GET', path: '/health' }),
        'No route GET /health: use POST /releases',
      ],
      [
        'a REST path',
        () => restApiEvent({ path: '/status', resource: '/{proxy+}' }),
        'No route POST /status: use POST /releases',
      ],
    ])('404 as JSON for %s', async (_case, build, message) => {
      // Prepare
      const { handler, numberService } = givenHandler();
      const context = lambdaContext();

      // Act
      const response = await handler(build(), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(404);
      expect(answer.body.error).toEqual({ code: 'NOT_FOUND', message });
      expect(numberService.calls).toHaveLength(0);
    });

    it.each([
      ['HTTP API', () => httpApiEvent({ method: 'GET', body: '' })],
      ['function URL', () => functionUrlEvent({ method: 'PUT' })],
      ['REST API', () => restApiEvent({ method: 'DELETE' })],
    ])('405 with allow: POST for another method on /releases (%s)', async (_case, build) => {
      // Prepare
      const { handler, numberService } = givenHandler();
      const context = lambdaContext();

      // Act
      const response = await handler(build(), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('POST');
      expect(answer.body.error).toEqual({
        code: 'METHOD_NOT_ALLOWED',
        message: '/releases accepts POST only',
      });
      expect(numberService.calls).toHaveLength(0);
    });
  });

  describe('HTTP: whole-request failures', () => {
    it('500 naming the variable for a bad deploy (ConfigurationError wiring)', async () => {
      // Prepare
      const wiring = (() => {
        try {
          readConfig({});
        } catch (error) {
          return error as ConfigurationError;
        }
        throw new Error('readConfig accepted an empty environment');
      })();
      const { handler } = givenHandler({ wiring });
      const context = lambdaContext();

      // Act
      const response = await handler(httpApiEvent({ body: NUMBERS_BODY }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(500);
      expect(answer.body.error).toEqual({
        code: 'CONFIGURATION_ERROR',
        message: expect.stringContaining('CALLFIRE_SECRET_ID is not set'),
      });
    });

    it('500 with the problem for credentials that cannot be read (ConfigurationError)', async () => {
      // Prepare
      const problem = new ConfigurationError(
        `Secret ${SECRET_ID} lacks password: it must be {"username": "...", "password": "..."}`,
      );
      const { handler, numberService } = givenHandler({ credentials: { getError: problem } });
      const context = lambdaContext();

      // Act
      const response = await handler(httpApiEvent({ body: NUMBERS_BODY }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(500);
      expect(answer.body.error).toEqual({ code: 'CONFIGURATION_ERROR', message: problem.message });
      expect(numberService.calls).toHaveLength(0);
    });

    it('500 naming the secret when CallFire rejects the credentials, also after a fresh read', async () => {
      // Prepare
      const { handler, credentials } = givenHandler({
        numberService: { acceptedPasswords: ['something-else'] },
        credentials: { rotated: ROTATED },
      });
      const context = lambdaContext();

      // Act
      const response = await handler(httpApiEvent({ body: NUMBERS_BODY }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(500);
      expect(answer.body.error).toEqual({
        code: 'CONFIGURATION_ERROR',
        message: expect.stringContaining(`in secret ${SECRET_ID} (HTTP 401)`),
      });
      expect(answer.body).not.toHaveProperty('results');
      expect(JSON.stringify(answer.body)).not.toContain(ROTATED.password);
      expect(credentials.reads).toBe(2);
    });

    it('503 with retry-after when Secrets Manager is unavailable', async () => {
      // Prepare
      const outage = new DependencyUnavailableError(
        `Secrets Manager is throttling requests (ThrottlingException) reading secret ${SECRET_ID}`,
        { retryAfterSeconds: 2 },
      );
      const { handler, numberService } = givenHandler({ credentials: { getError: outage } });
      const context = lambdaContext();

      // Act
      const response = await handler(httpApiEvent({ body: NUMBERS_BODY }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('2');
      expect(answer.body.error).toEqual({
        code: 'DEPENDENCY_UNAVAILABLE',
        message: outage.message,
      });
      expect(numberService.calls).toHaveLength(0);
    });

    it('a generic 500 for an unexpected error, without its message', async () => {
      // Prepare
      const secretMessage = 'connect EHOSTUNREACH 10.1.2.3 with password hunter2';
      const { handler } = givenHandler({
        numberServiceFactory: async () => {
          throw new Error(secretMessage);
        },
      });
      const context = lambdaContext();

      // Act
      const response = await handler(httpApiEvent({ body: NUMBERS_BODY }), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(500);
      expect(answer.body.error).toEqual({
        code: 'INTERNAL_ERROR',
        message: `Internal error; the function's logs for request ${context.awsRequestId} say more`,
      });
      expect((response as HttpResponse).body).not.toContain('hunter2');
      expect((response as HttpResponse).body).not.toContain('EHOSTUNREACH');
    });
  });

  describe('HTTP: time budget', () => {
    it(`gives an HTTP request at most ${HTTP_BUDGET_MS} ms, then fails an item sent without answer OUTCOME_UNKNOWN`, async () => {
      // Prepare
      vi.useFakeTimers();
      const { handler, numberService } = givenHandler({
        numberService: { script: { '14255551212': ['hang'] } },
        config: { callTimeoutMs: 120_000 },
      });
      const context = lambdaContext({ timeoutMs: 120_000 });
      const start = Date.now();

      // Act
      const pending = handler(
        httpApiEvent({ body: JSON.stringify({ numbers: ['14255551212'] }) }),
        context,
      );
      await vi.advanceTimersByTimeAsync(30_000);
      const response = await pending;

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(502);
      expect(answer.body.results).toEqual([
        {
          kind: 'number',
          number: '14255551212',
          outcome: 'failed',
          error: { code: 'OUTCOME_UNKNOWN', message: expect.any(String), retryable: true },
        },
      ]);
      expect((numberService.calls[0]?.abortedAt ?? Number.NaN) - start).toBe(25_000);
    });

    it('keeps a safety margin of the remaining time when it is shorter than the HTTP cap', async () => {
      // Prepare
      vi.useFakeTimers();
      const { handler, numberService } = givenHandler({
        numberService: { script: { '14255551212': ['hang'] } },
        config: { callTimeoutMs: 120_000 },
      });
      const context = lambdaContext({ timeoutMs: 6_000 });
      const start = Date.now();

      // Act
      const pending = handler(
        httpApiEvent({ body: JSON.stringify({ numbers: ['14255551212'] }) }),
        context,
      );
      await vi.advanceTimersByTimeAsync(6_000);
      await pending;

      // Assess
      expect((numberService.calls[0]?.abortedAt ?? Number.NaN) - start).toBe(5_000);
    });

    it('gives a direct invocation the remaining time less the margin, not the HTTP cap', async () => {
      // Prepare
      vi.useFakeTimers();
      const { handler, numberService } = givenHandler({
        numberService: { script: { '14255551212': ['hang'] } },
        config: { callTimeoutMs: 120_000 },
      });
      const context = lambdaContext({ timeoutMs: 120_000 });
      const start = Date.now();

      // Act
      const pending = handler({ numbers: ['14255551212'] }, context);
      pending.catch(() => {});
      await vi.advanceTimersByTimeAsync(120_000);
      const error = await rejectionOf(pending);

      // Assess
      expect((numberService.calls[0]?.abortedAt ?? Number.NaN) - start).toBe(119_000);
      expect(error.name).toBe('ReleaseIncompleteError');
      expect(error.message).toContain('14255551212 OUTCOME_UNKNOWN');
    });
  });

  describe('other invocations', () => {
    it('returns the result object for a direct payload', async () => {
      // Prepare
      const { handler, numberService } = givenHandler({
        numberService: { keywords: [accountKeyword('Vanilla', '67076')] },
      });
      const payload = {
        numbers: ['+1 (425) 555-1212'],
        keywords: ['VANILLA'],
        confirmKeywordRelease: true,
      };

      // Act
      const result = await handler(structuredClone(payload), lambdaContext());

      // Assess
      expect(result).toEqual({
        dryRun: false,
        summary: { requested: 2, released: 2, skipped: 0, failed: 0 },
        results: [
          { kind: 'number', number: '14255551212', outcome: 'released' },
          { kind: 'keyword', keyword: 'Vanilla', shortCode: '67076', outcome: 'released' },
        ],
      });
      expect(numberService.callsTo('Release').map((call) => call.args)).toStrictEqual([
        { number: '14255551212' },
        { number: '67076', keyword: 'Vanilla' },
      ]);
    });

    it('returns the result when only permanent failures remain', async () => {
      // Prepare
      const { handler } = givenHandler({
        numberService: { script: { '14255551213': [notFound('14255551213')] } },
      });

      // Act
      const result = await handler({ numbers: ['14255551212', '14255551213'] }, lambdaContext());

      // Assess
      expect(result).toMatchObject({
        summary: { requested: 2, released: 1, skipped: 0, failed: 1 },
        results: [
          { number: '14255551212', outcome: 'released' },
          {
            number: '14255551213',
            outcome: 'failed',
            error: { code: 'NOT_FOUND', retryable: false },
          },
        ],
      });
    });

    it('throws ReleaseIncompleteError naming each item still failing retryably and its code', async () => {
      // Prepare
      const { handler } = givenHandler({
        numberService: {
          keywords: [accountKeyword('VANILLA', '67076')],
          script: {
            '14255551213': [unavailable(), unavailable(), unavailable()],
            '67076/VANILLA': [unavailable(), unavailable(), unavailable()],
            '14255551214': [notFound('14255551214')],
          },
        },
      });
      const payload = {
        numbers: ['14255551212', '14255551213', '14255551214'],
        keywords: ['vanilla'],
        confirmKeywordRelease: true,
      };

      // Act
      const error = await rejectionOf(handler(payload, lambdaContext()));

      // Assess
      expect(error.name).toBe('ReleaseIncompleteError');
      expect(error.message).toBe(
        '2 of 4 items not done yet, retry the request: 14255551213 UNAVAILABLE, keyword VANILLA@67076 UNAVAILABLE',
      );
    });

    it('throws ReleaseIncompleteError when Secrets Manager was down for the fresh read after a 401', async () => {
      // Prepare
      const outage = new DependencyUnavailableError(
        `Secrets Manager is unavailable (InternalServiceError) reading secret ${SECRET_ID}`,
      );
      const { handler } = givenHandler({
        numberService: { acceptedPasswords: [ROTATED.password] },
        credentials: { rotated: ROTATED, refreshError: outage },
      });

      // Act
      const error = await rejectionOf(handler({ numbers: ['14255551212'] }, lambdaContext()));

      // Assess
      expect(error.name).toBe('ReleaseIncompleteError');
      expect(error.message).toBe(
        '1 of 1 items not done yet, retry the request: 14255551212 CREDENTIALS_REJECTED',
      );
    });

    it('throws InvalidRequestError for an invalid direct payload, sending nothing', async () => {
      // Prepare
      const { handler, numberService, credentials } = givenHandler();

      // Act
      const error = (await rejectionOf(
        handler({ keywords: ['VANILLA'] }, lambdaContext()),
      )) as InvalidRequestError;

      // Assess
      expect(error.name).toBe('InvalidRequestError');
      expect(error.issues).toEqual([
        {
          path: 'confirmKeywordRelease',
          message: expect.stringContaining('must be true to release keywords'),
        },
      ]);
      expect(numberService.calls).toHaveLength(0);
      expect(credentials.getCalls).toBe(0);
    });

    it('releases the detail of a bus event', async () => {
      // Prepare
      const { handler } = givenHandler();

      // Act
      const result = await handler(busEvent({ numbers: ['14255551212'] }), lambdaContext());

      // Assess
      expect(result).toEqual({
        dryRun: false,
        summary: { requested: 1, released: 1, skipped: 0, failed: 0 },
        results: [{ kind: 'number', number: '14255551212', outcome: 'released' }],
      });
    });

    it('throws InvalidRequestError with paths under detail for a bus event with an invalid detail', async () => {
      // Prepare
      const { handler, numberService } = givenHandler();
      const event = busEvent({ numbers: ['555'], number: '14255551212' });

      // Act
      const error = (await rejectionOf(handler(event, lambdaContext()))) as InvalidRequestError;

      // Assess
      expect(error.name).toBe('InvalidRequestError');
      expect(error.issues.map((issue) => issue.path)).toEqual([
        'detail.number',
        'detail.numbers[0]',
      ]);
      expect(error.message).toContain('in event callfire.release / Release Requested');
      expect(numberService.calls).toHaveLength(0);
    });

    it('throws InvalidRequestError pointing at the constant Input for a scheduled event with an empty detail', async () => {
      // Prepare
      const { handler, numberService } = givenHandler();

      // Act
      const error = (await rejectionOf(
        handler(scheduledEvent(), lambdaContext()),
      )) as InvalidRequestError;

      // Assess
      expect(error.name).toBe('InvalidRequestError');
      expect(error.message).toContain(
        "a scheduled rule must give the request as the target's constant Input",
      );
      expect(error.issues).toEqual([
        { path: 'detail', message: 'give at least one item in "numbers" or "keywords"' },
      ]);
      expect(numberService.calls).toHaveLength(0);
    });

    it.each([
      [
        'an SNS batch',
        () => ({ Records: [{ EventSource: 'aws:sns', Sns: { Message: '{}' } }] }),
        'Records batches (SNS, S3, streams) are not a supported trigger',
      ],
    ])('throws UnsupportedTriggerError for %s', async (_case, build, message) => {
      // Prepare
      const { handler, numberService } = givenHandler();

      // Act
      const error = await rejectionOf(handler(build(), lambdaContext()));

      // Assess
      expect(error.name).toBe('UnsupportedTriggerError');
      expect(error.message).toContain(message);
      expect(numberService.calls).toHaveLength(0);
    });

    it('answers an ALB event 501 as JSON with a statusDescription', async () => {
      // Prepare
      const { handler, numberService } = givenHandler();
      const context = lambdaContext();

      // Act
      const response = await handler(albEvent(), context);

      // Assess
      const answer = answerOf(response, context);
      expect(answer.status).toBe(501);
      expect((response as { statusDescription?: string }).statusDescription).toBe(
        '501 Not Implemented',
      );
      expect(answer.body.error).toEqual({
        code: 'UNSUPPORTED_TRIGGER',
        message: expect.stringContaining('Application Load Balancer is not a supported trigger'),
      });
      expect(numberService.calls).toHaveLength(0);
    });

    it.each([
      [
        'ConfigurationError',
        {
          wiring: new ConfigurationError(
            'RELEASE_CONCURRENCY must be a whole number from 1 to 64; got "0"',
          ),
        },
      ],
      [
        'ConfigurationError',
        { credentials: { getError: new ConfigurationError(`Secret ${SECRET_ID} was not found`) } },
      ],
      [
        'DependencyUnavailableError',
        {
          credentials: {
            getError: new DependencyUnavailableError('Secrets Manager is unavailable'),
          },
        },
      ],
      [
        'ConfigurationError',
        { numberService: { acceptedPasswords: [] }, credentials: { rotated: ROTATED } },
      ],
    ] as [string, Given][])(
      'throws %s for a whole-request failure of a direct invocation',
      async (name, given) => {
        // Prepare
        const { handler } = givenHandler(given);

        // Act
        const error = await rejectionOf(handler({ numbers: ['14255551212'] }, lambdaContext()));

        // Assess
        expect(error.name).toBe(name);
      },
    );
  });

  describe('SQS: partial batch responses', () => {
    const body = (request: object) => JSON.stringify(request);

    it('reports invalid records and records with retryable failures, not records whose items all ended', async () => {
      // Prepare
      const { handler } = givenHandler({
        numberService: {
          script: {
            '14255550001': [notFound('14255550001')],
            '14255550002': [unavailable(), unavailable(), unavailable()],
          },
        },
      });
      const event = sqsBatch([
        body({ numbers: ['14255551212'] }),
        'not json',
        body({ numbers: ['14255550001'] }),
        body({ numbers: ['14255550002'] }),
        body({ number: ['14255551212'] }),
      ]);

      // Act
      const response = (await handler(event, lambdaContext())) as SQSBatchResponse;

      // Assess: records run concurrently, so failures are listed in the order they ended.
      const failed = response.batchItemFailures.map((failure) => failure.itemIdentifier);
      expect(failed.sort()).toEqual(['message-2', 'message-4', 'message-5']);
    });

    it('keeps the CallFire concurrency limit across the records of a batch, reading the secret once', async () => {
      // Prepare
      const { handler, numberService, credentials } = givenHandler({
        numberService: { delayMs: 5 },
        config: { concurrency: 3 },
      });
      const numbers = (from: number) =>
        Array.from({ length: 4 }, (_, index) => `142555${String(from + index).padStart(5, '0')}`);
      const event = sqsBatch([0, 10, 20].map((from) => body({ numbers: numbers(from) })));

      // Act
      const response = await handler(event, lambdaContext());

      // Assess
      expect(response).toEqual({ batchItemFailures: [] });
      expect(numberService.callsTo('Release')).toHaveLength(12);
      expect(numberService.maxInFlight).toBe(3);
      expect(credentials.reads).toBe(1);
    });

    it('throws for the whole batch when the credentials cannot be read, sending nothing', async () => {
      // Prepare
      const { handler, numberService } = givenHandler({
        credentials: { getError: new DependencyUnavailableError('Secrets Manager is unavailable') },
      });

      // Act
      const error = await rejectionOf(
        handler(sqsEvent(body({ numbers: ['14255551212'] })), lambdaContext()),
      );

      // Assess
      expect(error.name).toBe('DependencyUnavailableError');
      expect(numberService.calls).toHaveLength(0);
    });

    it('stops a FIFO group at its first failed record, reporting the rest unprocessed', async () => {
      // Prepare
      const { handler, numberService } = givenHandler({
        numberService: { script: { '14255550002': [unavailable(), unavailable(), unavailable()] } },
      });
      const event = sqsBatch(
        ['14255550001', '14255550002', '14255550003'].map((number) => body({ numbers: [number] })),
        { fifo: true },
      );

      // Act
      const response = await handler(event, lambdaContext());

      // Assess
      expect(response).toEqual({
        batchItemFailures: [{ itemIdentifier: 'message-2' }, { itemIdentifier: 'message-3' }],
      });
      expect(numberService.callsTo('Release').map((call) => call.args.number)).not.toContain(
        '14255550003',
      );
    });
  });

  describe('safety answers', () => {
    it('answers 400 REQUEST_EXPIRED for a request past its notAfter, sending nothing', async () => {
      // Prepare
      const { handler, numberService } = givenHandler();
      const context = lambdaContext();
      const body = JSON.stringify({ numbers: ['14255551212'], notAfter: '2020-01-01T00:00:00Z' });

      // Act
      const answer = answerOf(await handler(httpApiEvent({ body }), context), context);

      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({
        code: 'REQUEST_EXPIRED',
        message: expect.stringContaining('expired at 2020-01-01T00:00:00Z'),
      });
      expect(numberService.calls).toHaveLength(0);
    });

    it('releases a request whose notAfter is still ahead', async () => {
      // Prepare
      const { handler } = givenHandler();
      const notAfter = new Date(Date.now() + 60_000).toISOString();

      // Act
      const result = await handler({ numbers: ['14255551212'], notAfter }, lambdaContext());

      // Assess
      expect(result).toMatchObject({ summary: { released: 1 } });
    });

    it('refuses an EventBridge event older than MAX_EVENT_AGE_SECONDS by name, sending nothing', async () => {
      // Prepare
      const { handler, numberService } = givenHandler({ config: { maxEventAgeSeconds: 3_600 } });
      const old = new Date(Date.now() - 2 * 3_600_000).toISOString();

      // Act
      const error = await rejectionOf(
        handler(
          busEvent({ numbers: ['14255551212'] }, 'callfire.release', 'Release Requested', old),
          lambdaContext(),
        ),
      );

      // Assess
      expect(error.name).toBe('RequestExpiredError');
      expect(error.message).toContain('more than MAX_EVENT_AGE_SECONDS (3600 s)');
      expect(numberService.calls).toHaveLength(0);
    });

    it('answers 409 PLAN_CHANGED with the fresh plan when the plan no longer holds', async () => {
      // Prepare
      const { handler, numberService } = givenHandler({
        numberService: { leases: { '14255551212': activeLease() } },
      });
      const context = lambdaContext();
      const body = JSON.stringify({ numbers: ['14255551212'], planHash: '0'.repeat(64) });

      // Act
      const answer = answerOf(await handler(httpApiEvent({ body }), context), context);

      // Assess
      expect(answer.status).toBe(409);
      expect(answer.body.error).toMatchObject({ code: 'PLAN_CHANGED' });
      expect(answer.body.plan).toMatchObject({
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        items: [expect.objectContaining({ item: '14255551212' })],
      });
      expect(numberService.callsTo('Release')).toHaveLength(0);
    });

    it('never throws for skipped items, and answers 200 when only skipped and released', async () => {
      // Prepare
      const { handler } = givenHandler({
        protectedItems: { get: async () => parseProtectedList('14255551213', 'test') },
      });
      const context = lambdaContext();

      // Act
      const direct = await handler({ numbers: ['14255551213'] }, lambdaContext());
      const answer = answerOf(
        await handler(
          httpApiEvent({ body: JSON.stringify({ numbers: ['14255551212', '14255551213'] }) }),
          context,
        ),
        context,
      );

      // Assess
      expect(direct).toMatchObject({
        summary: { requested: 1, released: 0, skipped: 1, failed: 0 },
      });
      expect(answer.status).toBe(200);
    });
  });

  describe('bulk job batches (Distributed Map)', () => {
    const batch = (items: unknown[], extra: Record<string, unknown> = {}) => ({
      Items: items,
      BatchInput: {
        jobId: 'job-1',
        dryRun: false,
        confirmKeywordRelease: true,
        skipConfigured: false,
      },
      ...extra,
    });

    it('answers one row per item, reading CSV-style rows (empty columns absent)', async () => {
      // Prepare
      const { handler, numberService } = givenHandler({
        numberService: { keywords: [accountKeyword('VANILLA', '67076')] },
      });
      const items = [
        { number: '+1 (425) 555-1212', keyword: '', shortCode: '' },
        { number: '', keyword: 'vanilla', shortCode: '67076' },
      ];

      // Act
      const result = await handler(batch(items), lambdaContext());

      // Assess
      expect(result).toMatchObject({
        summary: { requested: 2, released: 2, skipped: 0, failed: 0 },
        results: [
          { kind: 'number', number: '14255551212', outcome: 'released' },
          { kind: 'keyword', keyword: 'VANILLA', shortCode: '67076', outcome: 'released' },
        ],
      });
      expect(numberService.callsTo('Release')).toHaveLength(2);
    });

    it('throws ReleaseIncompleteError while items may pass, so the job retries the batch', async () => {
      // Prepare
      const { handler } = givenHandler({
        numberService: { script: { '14255551212': [unavailable(), unavailable(), unavailable()] } },
      });

      // Act
      const error = await rejectionOf(handler(batch([{ number: '14255551212' }]), lambdaContext()));

      // Assess
      expect(error.name).toBe('ReleaseIncompleteError');
    });

    it('answers retryable failures as outcomes on the final try', async () => {
      // Prepare
      const { handler } = givenHandler({
        numberService: { script: { '14255551212': [unavailable(), unavailable(), unavailable()] } },
      });

      // Act
      const result = await handler(
        batch([{ number: '14255551212' }], { Final: true }),
        lambdaContext(),
      );

      // Assess
      expect(result).toMatchObject({
        results: [
          {
            number: '14255551212',
            outcome: 'failed',
            error: { code: 'UNAVAILABLE', retryable: true },
          },
        ],
      });
    });

    it('refuses an item that is neither a number nor a keyword, naming it, and sends nothing', async () => {
      // Prepare
      const { handler, numberService } = givenHandler();

      // Act
      const error = await rejectionOf(
        handler(
          batch([{ number: '14255551212' }, { number: '14255551213', keyword: 'VANILLA' }]),
          lambdaContext(),
        ),
      );

      // Assess
      expect(error.name).toBe('InvalidRequestError');
      expect(error.message).toContain('Items[1]');
      expect(numberService.calls).toHaveLength(0);
    });
  });
});
