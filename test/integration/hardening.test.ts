/**
 * The bundled function, dist/release/handler.js, against dependencies that hang or lie and input
 * that must not get through: the CallFire sandbox and the local AWS stand-ins over loopback, the
 * real `soap` client and AWS SDK. Each test names the behaviour it pins down.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NAMESPACES } from '../../functions/release/callfire/contract';
import {
  type CallFireSandbox,
  defaultAccount,
  SANDBOX_CREDENTIALS,
  startCallFireSandbox,
} from '../../local/callfire-sandbox';
import { lambdaContext } from '../../local/lambda-context';
import { type LocalSecretsManager, startLocalSecretsManager } from '../../local/secrets-manager';
import { CALLER_ARN, httpApiEvent, restApiEvent } from '../fixtures/events';
import { type BundledHandler, captureOutput, loadBundledHandler } from '../helpers/bundled-handler';
import { invokeHttp } from '../helpers/http-answer';

const SECRET_ID = 'callfire/hardening';
const output = captureOutput();
let sandbox: CallFireSandbox;
let secrets: LocalSecretsManager;

function container(env: Record<string, string | undefined> = {}): BundledHandler {
  return loadBundledHandler({
    CALLFIRE_SOAP_ENDPOINT: sandbox.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    CALLFIRE_SECRET_ID: SECRET_ID,
    CALLFIRE_TIMEOUT_MS: undefined,
    RELEASE_CONCURRENCY: undefined,
    SECRET_CACHE_TTL_SECONDS: undefined,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test-access-key',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
    ...env,
  });
}

const http = invokeHttp;

const release = (request: object) => httpApiEvent({ body: JSON.stringify(request) });
const callsTo = (operation: string) => sandbox.calls.filter((call) => call.operation === operation);
const autoRenewOf = (number: string) =>
  sandbox.account.numbers.find((entry) => entry.number === number)?.autoRenew;

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
  secrets.setSecret(SECRET_ID, JSON.stringify(SANDBOX_CREDENTIALS));
});

describe('only a real SOAP 1.2 success is a release', () => {
  const empty11 = `<s:Envelope xmlns:s="${NAMESPACES.soap11Envelope}"><s:Body/></s:Envelope>`;
  const empty12 = `<env:Envelope xmlns:env="${NAMESPACES.soap12Envelope}"><env:Body/></env:Envelope>`;
  const bodiless12 = `<env:Envelope xmlns:env="${NAMESPACES.soap12Envelope}"></env:Envelope>`;
  const soap12 = 'application/soap+xml; charset=utf-8';

  it.each([
    ['a 200 with an empty SOAP 1.1 envelope', 200, empty11, 'text/xml; charset=utf-8', false],
    ['a SOAP 1.2 Envelope without Body', 200, bodiless12, soap12, false],
    ['a 200 SOAP 1.2 envelope as text/xml', 200, empty12, 'text/xml', false],
    ['a 202 with an empty envelope', 202, empty12, soap12, false],
    ['a 302 with an empty envelope', 302, empty12, soap12, true],
    ['a 307 with an empty envelope', 307, empty12, soap12, true],
    ['a 200 HTML page', 200, '<html><body>Sign in</body></html>', 'text/html', false],
  ])(
    '%s fails UPSTREAM_HTTP, never released',
    async (_case, status, body, contentType, retryable) => {
      const handler = container();
      sandbox.injectFault({
        operation: 'Release',
        target: '14255551212',
        fault: {
          type: 'http',
          status,
          body,
          contentType,
          headers: { location: 'https://elsewhere.test/' },
        },
        times: Number.POSITIVE_INFINITY,
      });

      const answer = await http(handler, release({ numbers: ['14255551212'] }));

      expect(answer.statusCode).toBe(502);
      expect(answer.body.results?.[0]).toMatchObject({
        outcome: 'failed',
        error: { code: 'UPSTREAM_HTTP', retryable },
      });
      expect(answer.body.results?.[0]?.error?.message).toContain(`HTTP ${status}`);
      // Redirects are never followed: every request went to the sandbox.
      expect(callsTo('Release').length).toBe(retryable ? 3 : 1);
    },
  );
});

describe('an answer lost after CallFire may have applied the release', () => {
  it('is looked up and reported released, verified, when CallFire applied it', async () => {
    const handler = container({ CALLFIRE_TIMEOUT_MS: '300' });
    // Applied on arrival, answered after the client gave up: the answer is lost every time.
    sandbox.injectFault({
      operation: 'Release',
      target: '14255551212',
      fault: { type: 'delay', ms: 2_000 },
      times: Number.POSITIVE_INFINITY,
    });

    const answer = await http(handler, release({ numbers: ['14255551212'] }));

    expect(answer.statusCode).toBe(200);
    expect(answer.body.results).toEqual([
      { kind: 'number', number: '14255551212', outcome: 'released', verified: true },
    ]);
    expect(callsTo('GetNumber')).toHaveLength(1);
    expect(autoRenewOf('14255551212')).toBe(false);
  });

  it('is looked up for a keyword through the account listing', async () => {
    const handler = container({ CALLFIRE_TIMEOUT_MS: '300' });
    sandbox.injectFault({
      operation: 'Release',
      target: 'VANILLA',
      fault: { type: 'delay', ms: 2_000 },
      times: Number.POSITIVE_INFINITY,
    });

    const answer = await http(
      handler,
      release({ keywords: ['VANILLA'], confirmKeywordRelease: true }),
    );

    expect(answer.body.results).toEqual([
      {
        kind: 'keyword',
        keyword: 'VANILLA',
        shortCode: '67076',
        outcome: 'released',
        verified: true,
      },
    ]);
    expect(callsTo('QueryKeywords')).toHaveLength(2);
  });

  it('says OUTCOME_UNKNOWN when the look-up is impossible too', async () => {
    const handler = container({ CALLFIRE_TIMEOUT_MS: '300' });
    sandbox.injectFault({
      target: '14255551212',
      fault: { type: 'hang' },
      times: Number.POSITIVE_INFINITY,
    });

    const answer = await http(handler, release({ numbers: ['14255551212'] }));

    expect(answer.body.results?.[0]?.error).toMatchObject({
      code: 'OUTCOME_UNKNOWN',
      retryable: true,
    });
  });
});

describe('a Secrets Manager that hangs or answers late', () => {
  it('gets an HTTP request a 503 with Retry-After before its deadline when GetSecretValue never answers', async () => {
    const handler = container();
    secrets.failNext('hang', 10);

    const started = Date.now();
    const answer = await http(handler, release({ numbers: ['14255551212'] }), 4_000);

    expect(answer.statusCode).toBe(503);
    expect(answer.body.error?.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(answer.headers['retry-after']).toMatch(/^\d+$/);
    // The invocation had 4 s; the answer came before its deadline less the safety margin.
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(sandbox.calls).toEqual([]);
  });

  it('fails a direct invocation DependencyUnavailableError, not holding it past the deadline', async () => {
    const handler = container();
    secrets.failNext({ delayMs: 3_000 });

    const started = Date.now();
    const error = await handler(
      { numbers: ['14255551212'] },
      lambdaContext({ timeoutMs: 2_500 }),
    ).catch((caught: unknown) => caught as Error);

    expect((error as Error).name).toBe('DependencyUnavailableError');
    // 1.5 s of budget (2.5 s less the 1 s margin), a secret answering after 3 s.
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(sandbox.calls).toEqual([]);
  });

  it('reports an HTML answer from Secrets Manager as such, not as a SyntaxError', async () => {
    const handler = container();
    secrets.failNext('html', 5);

    const answer = await http(handler, release({ numbers: ['14255551212'] }));

    expect(answer.statusCode).toBe(503);
    expect(answer.body.error?.message).toContain('with an answer that is not its JSON');
    expect(answer.body.error?.message).not.toContain('SyntaxError');
  });
});

describe('a connection broken after CallFire applied the release', () => {
  it('is looked up and reported released, verified', async () => {
    const handler = container();
    sandbox.injectFault({
      operation: 'Release',
      target: '14255551212',
      fault: { type: 'reset', afterApplying: true },
      times: Number.POSITIVE_INFINITY,
    });

    const answer = await http(handler, release({ numbers: ['14255551212'] }));

    expect(answer.body.results).toEqual([
      { kind: 'number', number: '14255551212', outcome: 'released', verified: true },
    ]);
    expect(callsTo('GetNumber')).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it('delays the next attempt by at least what a 503 asks', async () => {
    const handler = container();
    sandbox.injectFault({
      target: '14255551212',
      fault: { type: 'http', status: 503, headers: { 'retry-after': '1' } },
    });

    const answer = await http(handler, release({ numbers: ['14255551212'] }));

    expect(answer.statusCode).toBe(200);
    const [first, second] = callsTo('Release');
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('fails retryable at once, without hammering, when the wait does not fit the budget', async () => {
    const handler = container();
    sandbox.injectFault({
      target: '14255551212',
      fault: { type: 'http', status: 429, headers: { 'retry-after': '120' } },
      times: Number.POSITIVE_INFINITY,
    });

    const started = Date.now();
    const answer = await http(handler, release({ numbers: ['14255551212'] }));

    expect(answer.body.results?.[0]?.error).toMatchObject({
      code: 'UPSTREAM_HTTP',
      retryable: true,
    });
    expect(callsTo('Release')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('rejected credentials stop the run', () => {
  it('sends at most RELEASE_CONCURRENCY + 1 requests that get a 401, and reads the secret afresh once', async () => {
    const handler = container();
    // A rotated password not yet in the secret.
    sandbox.credentials = { ...SANDBOX_CREDENTIALS, password: 'rotated-elsewhere-7' };
    const numbers = Array.from({ length: 20 }, (_, index) => String(13125550000 + index));
    const readsBefore = secrets.requests.length;

    const answer = await http(handler, release({ numbers }));

    expect(answer.statusCode).toBe(500);
    expect(answer.body.error?.code).toBe('CONFIGURATION_ERROR');
    const rejected = sandbox.calls.filter((call) => !call.authorized);
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(rejected.length).toBeLessThanOrEqual(8 + 1);
    expect(secrets.requests.length - readsBefore).toBe(2);
  });
});

describe("CallFire's fault text", () => {
  it('is redacted of the login, the password and the Basic token before it is returned or logged', async () => {
    const handler = container();
    const { username, password } = SANDBOX_CREDENTIALS;
    const basic = Buffer.from(`${username}:${password}`).toString('base64');
    sandbox.injectFault({
      target: '14255551212',
      fault: {
        type: 'fault',
        code: 'FORBIDDEN',
        message: `denied for ${username}:${password} (Basic ${basic}) {"password":${JSON.stringify(password)}}`,
      },
    });
    output.clear();

    const answer = await http(handler, release({ numbers: ['14255551212'] }));

    expect(answer.body.results?.[0]?.error?.code).toBe('FORBIDDEN');
    expect(answer.body.results?.[0]?.error?.message).toContain('[redacted]');
    for (const text of [answer.raw, output.text()]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(basic);
    }
    expect(output.text()).toContain('FORBIDDEN');
  });
});

describe('configuration problems are not outages', () => {
  it.each([
    [
      'a missing region',
      { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_CONFIG_FILE: '/nonexistent' },
      'AWS region is not set',
    ],
    [
      'missing AWS credentials',
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_PROFILE: undefined,
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      },
      'no AWS credentials found',
    ],
    [
      'an endpoint set by AWS_ENDPOINT_URL_SECRETS_MANAGER that refuses connections',
      { AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:1' },
      'cannot be reached (ECONNREFUSED)',
    ],
  ])('%s is a 500 naming the cause, and nothing is sent', async (_case, env, words) => {
    const handler = container(env);

    const answer = await http(handler, release({ numbers: ['14255551212'] }));

    expect(answer.statusCode).toBe(500);
    expect(answer.body.error).toMatchObject({ code: 'CONFIGURATION_ERROR' });
    expect(answer.body.error?.message).toContain(words);
    expect(sandbox.calls).toEqual([]);
  });
});

describe('AWS credentials outside the environment', () => {
  it('signs with a profile from a shared credentials file: the bundle loads the full chain', async () => {
    // Arrange: Lambda's environment credentials are absent; a profile names keys in a file.
    const folder = mkdtempSync(path.join(tmpdir(), 'callfire-profile-'));
    const credentialsFile = path.join(folder, 'credentials');
    writeFileSync(
      credentialsFile,
      '[operator]\naws_access_key_id = AKIDPROFILEEXAMPLE\naws_secret_access_key = profile-secret\n',
    );
    const handler = container({
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: 'operator',
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_CONFIG_FILE: path.join(folder, 'config'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });

    try {
      // Act
      const answer = await http(handler, release({ numbers: ['14255551212'] }));

      // Assess
      expect(answer.statusCode).toBe(200);
      expect(answer.body.summary).toMatchObject({ released: 1 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
      for (const name of ['AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE']) {
        delete process.env[name];
      }
    }
  });
});

describe('bounded error reports', () => {
  it('answers a 256 KB body of unknown keys with at most 20 problems, under 64 KB, logged under 16 KB', async () => {
    const handler = container();
    const request: Record<string, number> = {};
    for (let index = 0, size = 2; size < 250 * 1024; index++) {
      request[`k${index}`] = 1;
      size += `"k${index}":1,`.length;
    }
    output.clear();

    const answer = await http(handler, httpApiEvent({ body: JSON.stringify(request) }));

    expect(answer.statusCode).toBe(400);
    expect(answer.body.errors).toHaveLength(21);
    expect(answer.body.errors?.[20]?.message).toMatch(/^and \d+ more problems not listed$/);
    expect(answer.raw.length).toBeLessThan(64 * 1024);
    const lines = output.text().split('\n');
    expect(lines.some((line) => line.includes('request rejected'))).toBe(true);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(16 * 1024);
  });
});

describe('numbers', () => {
  it.each([
    ['an explicit country code (Singapore, 10 digits after +65)', '+65 9123 4567'],
    ['a line break', '425555\n1212'],
    ['a tab', '425\t555 1212'],
    ['a no-break space', '425\u00a0555 1212'],
    ['a line separator', '425 555\u20281212'],
    ['a byte order mark', '\ufeff4255551212'],
  ])('with %s are refused by name, nothing sent', async (_case, number) => {
    const handler = container();

    const answer = await http(handler, release({ numbers: [number] }));

    expect(answer.statusCode).toBe(400);
    expect(answer.body.errors?.[0]?.path).toBe('numbers[0]');
    expect(sandbox.calls).toEqual([]);
  });

  it('keep their country code: +44 is not read as North American', async () => {
    const handler = container();

    const answer = await http(handler, release({ numbers: ['+44 20 7946 0958'] }));

    expect(answer.body.results?.[0]).toMatchObject({
      number: '442079460958',
      error: { code: 'NOT_FOUND' },
    });
  });
});

describe('keyword look-up', () => {
  it('stops at once, with a clear failure, when the server ignores FirstResult', async () => {
    sandbox.maxPageSize = 2;
    sandbox.ignoreFirstResult = true;
    const handler = container();

    const answer = await http(
      handler,
      release({ keywords: ['MintChip'], confirmKeywordRelease: true }),
    );

    expect(answer.body.results?.[0]?.error).toMatchObject({
      code: 'UPSTREAM_INVALID',
      message: expect.stringContaining('ignores FirstResult'),
    });
    expect(callsTo('QueryKeywords')).toHaveLength(2);
    expect(callsTo('Release')).toEqual([]);
  });

  it('counts the same keyword listed twice on one short code once, not as ambiguous', async () => {
    const account = defaultAccount();
    const vanilla = account.keywords.find((entry) => entry.keyword === 'VANILLA');
    if (vanilla) account.keywords.push({ ...vanilla });
    const doubled = await startCallFireSandbox({ account });
    try {
      const handler = container({ CALLFIRE_SOAP_ENDPOINT: doubled.url });

      const answer = await http(
        handler,
        release({ keywords: ['VANILLA'], confirmKeywordRelease: true }),
      );

      expect(answer.statusCode).toBe(200);
      expect(answer.body.results).toEqual([
        { kind: 'keyword', keyword: 'VANILLA', shortCode: '67076', outcome: 'released' },
      ]);
    } finally {
      await doubled.close();
    }
  });

  it('reports two spellings of one keyword as one item and one row', async () => {
    const handler = container();

    const answer = await http(
      handler,
      release({
        keywords: ['VANILLA', { keyword: 'Vanilla', shortCode: '67076' }],
        confirmKeywordRelease: true,
      }),
    );

    expect(answer.body.summary).toEqual({ requested: 1, released: 1, skipped: 0, failed: 0 });
    expect(callsTo('Release')).toHaveLength(1);
  });
});

describe('any event API Gateway or a test tool can send gets an HTTP answer', () => {
  const body = JSON.stringify({ numbers: ['14255551212'] });
  const withoutKeys = (event: object, ...keys: string[]) => {
    const copy = structuredClone(event) as Record<string, unknown>;
    for (const key of keys) delete copy[key];
    return copy;
  };

  it.each([
    [
      'a payload 2.0 event without routeKey',
      200,
      () => withoutKeys(httpApiEvent({ body }), 'routeKey'),
    ],
    [
      'a payload 2.0 event without rawPath',
      200,
      () => withoutKeys(httpApiEvent({ routeKey: '$default', body }), 'rawPath'),
    ],
    [
      'a payload 2.0 event without rawPath or http.path',
      400,
      () => {
        const event = withoutKeys(httpApiEvent({ routeKey: '$default', body }), 'rawPath');
        delete (event.requestContext as { http: { path?: string } }).http.path;
        return event;
      },
    ],
    [
      'a 1.0 event without path and resource',
      400,
      () => withoutKeys(restApiEvent({ body }), 'path', 'resource'),
    ],
    [
      'a non-string body marked base64',
      400,
      () => ({ ...httpApiEvent({ body }), body: { numbers: [] }, isBase64Encoded: true }),
    ],
    [
      'isBase64Encoded: "false"',
      200,
      () => ({ ...httpApiEvent({ body }), isBase64Encoded: 'false' }),
    ],
  ] as const)('%s: HTTP %s', async (_case, status, build) => {
    const handler = container();

    const answer = await http(handler, build());

    expect(answer.statusCode).toBe(status);
    if (status === 400) expect(answer.body.error?.message).toMatch(/HTTP event/);
  });
});

describe('each log line belongs to its invocation', () => {
  it('names its own request id, trigger and caller with invocations running at the same time', async () => {
    const handler = container({ RELEASE_CONCURRENCY: '2' });
    sandbox.latencyMs = 20;
    output.clear();
    const invocations = Array.from({ length: 4 }, (_, index) => ({
      context: lambdaContext({ requestId: `request-${index}` }),
      numbers: Array.from({ length: 5 }, (_, item) => String(13125550000 + index * 10 + item)),
    }));

    await Promise.all(
      invocations.map(({ context, numbers }, index) =>
        index % 2 === 0 ? handler(release({ numbers }), context) : handler({ numbers }, context),
      ),
    );

    const itemLines = output.lines().filter((line) => String(line.message).startsWith('item '));
    expect(itemLines).toHaveLength(20);
    for (const line of itemLines) {
      const number = (line.item as { number: string }).number;
      const index = Math.floor((Number(number) - 13125550000) / 10);
      expect(line.function_request_id).toBe(`request-${index}`);
      expect(line.trigger).toBe(index % 2 === 0 ? 'http-api' : 'direct');
      if (index % 2 === 0)
        expect(line.caller).toMatchObject({ userArn: CALLER_ARN, sourceIp: '198.51.100.7' });
      else expect(line.caller).toBeUndefined();
    }
  });
});
