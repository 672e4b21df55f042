/**
 * `--stack`: the CLI reads the stack's outputs with the real SDK from a CloudFormation stand-in
 * (AWS_ENDPOINT_URL_CLOUDFORMATION) and signs its requests (SigV4, execute-api) with credentials
 * from a named profile; an API Gateway stand-in recomputes every signature independently, refuses
 * bad ones with a 403, and forwards good ones to the dev server. Also: retries of 429/503 with
 * Retry-After, and what exits 3.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BULK_NUMBER_FIRST } from '../../local/callfire-default-account';
import { captureOutput } from '../helpers/bundled-handler';
import { type DevTarget, runCli, scratchDir, startDevTarget } from '../helpers/cli';
import { startCloudFormationStandIn } from '../helpers/cloudformation-stand-in';
import { startIamGateway } from '../helpers/iam-gateway';

const OPS = { accessKeyId: 'AKIDOPSEXAMPLE', secretAccessKey: 'ops-secret-key-3xample/abc' };
const STACK = 'callfire-release-test';
const output = captureOutput();
let target: DevTarget;
let gateway: Awaited<ReturnType<typeof startIamGateway>>;
let cloudFormation: Awaited<ReturnType<typeof startCloudFormationStandIn>>;
let dir: string;
let profileEnv: Record<string, string>;

beforeAll(async () => {
  target = await startDevTarget();
  gateway = await startIamGateway({
    upstream: target.url,
    credentials: OPS,
    region: 'us-west-2',
    stage: '/prod',
  });
  cloudFormation = await startCloudFormationStandIn({
    [STACK]: { ReleaseEndpoint: `${gateway.url}/releases`, ScheduleGroupName: 'g' },
    'no-endpoint': { ScheduleGroupName: 'g' },
    'plain-http': { ReleaseEndpoint: 'http://10.9.8.7/prod/releases' },
  });
});

afterAll(async () => {
  output.restore();
  await Promise.all([target?.close(), gateway?.close(), cloudFormation?.close()]);
});

beforeEach(() => {
  target.sandbox.reset();
  gateway.requests.length = 0;
  gateway.failNext.length = 0;
  cloudFormation.requests.length = 0;
  dir = scratchDir();
  // The operator's profile "ops": credentials in the shared file, region in the config file.
  const credentials = path.join(dir, 'credentials');
  const config = path.join(dir, 'config');
  writeFileSync(
    credentials,
    `[ops]\naws_access_key_id = ${OPS.accessKeyId}\naws_secret_access_key = ${OPS.secretAccessKey}\n`,
  );
  writeFileSync(config, '[profile ops]\nregion = us-west-2\n');
  profileEnv = {
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: config,
    AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
  };
});

const bulk = (count: number, offset: number) =>
  Array.from({ length: count }, (_, at) => `${BULK_NUMBER_FIRST + offset + at}`);
const released = () =>
  target.sandbox.calls
    .filter((call) => call.operation === 'Release')
    .map((call) => call.number)
    .sort();

function numbersFile(numbers: readonly string[]): string {
  const where = path.join(dir, 'numbers.csv');
  writeFileSync(where, `number\n${numbers.join('\n')}\n`);
  return where;
}

describe('callfire-release --stack', () => {
  it("reads the stack's outputs and signs every request with the profile's credentials", async () => {
    const numbers = bulk(150, 1200);

    const run = await runCli(
      ['release', numbersFile(numbers), '--stack', STACK, '--profile', 'ops'],
      { env: profileEnv },
    );

    expect(run.code, run.stderr).toBe(0);
    expect(cloudFormation.requests).toEqual([
      {
        action: 'DescribeStacks',
        version: '2010-05-15',
        stackName: STACK,
        credentialScope: expect.stringMatching(
          /^AKIDOPSEXAMPLE\/\d{8}\/us-west-2\/cloudformation\/aws4_request$/,
        ),
      },
    ]);
    expect(gateway.requests.map(({ method, url, verdict }) => [method, url, verdict])).toEqual([
      ['POST', '/prod/releases', undefined],
      ['POST', '/prod/releases', undefined],
    ]);
    expect(released()).toEqual(numbers);
    expect(run.stdout).toContain(`against stack ${STACK} (us-west-2)`);
  });

  it('exits 3 on a 403 for a bad signature, printing neither the secret nor the session token', async () => {
    const token = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN0123456789';
    const secret = 'not-the-ops-secret-key-0123';
    const env = {
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
      AWS_ACCESS_KEY_ID: OPS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: secret,
      AWS_SESSION_TOKEN: token,
    };

    const run = await runCli(
      ['release', numbersFile(['14255551212']), '--stack', STACK, '--region', 'us-west-2'],
      { env },
    );

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'refused the caller (HTTP 403): The request signature we calculated does not match',
    );
    expect(run.stderr).toContain('execute-api:Invoke');
    expect(gateway.requests).toHaveLength(1);
    expect(gateway.requests[0]?.headers['x-amz-security-token']).toBe(token);
    for (const printed of [run.stdout, run.stderr]) {
      expect(printed).not.toContain(secret);
      expect(printed).not.toContain(token);
      expect(printed).not.toMatch(/Signature=|AWS4-HMAC-SHA256 Credential/);
    }
    expect(released()).toEqual([]);
  });

  it.each([
    [
      'an unknown stack',
      ['--stack', 'nope', '--profile', 'ops'],
      'stack nope does not exist in us-west-2',
    ],
    [
      'a stack without ReleaseEndpoint',
      ['--stack', 'no-endpoint', '--profile', 'ops'],
      'has no output ReleaseEndpoint',
    ],
    [
      'a plain-http endpoint elsewhere',
      ['--stack', 'plain-http', '--profile', 'ops'],
      'is not https',
    ],
    ['no region', ['--stack', STACK], 'no AWS region'],
  ])('exits 3 for %s, sending no release', async (_case, args, message) => {
    const env = {
      ...profileEnv,
      AWS_ACCESS_KEY_ID: OPS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: OPS.secretAccessKey,
    };

    const run = await runCli(['release', numbersFile(['14255551212']), ...args], { env });

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(message);
    expect(gateway.requests).toEqual([]);
  });

  it('exits 3 without credentials, before any request', async () => {
    const run = await runCli(
      ['plan', numbersFile(['14255551212']), '--stack', STACK, '--region', 'us-west-2'],
      {
        env: { AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint },
      },
    );

    expect(run.code).toBe(3);
    expect(run.stderr).toContain('no AWS credentials found');
    expect(cloudFormation.requests).toEqual([]);
  });
});

describe('callfire-release retries', () => {
  it('retries a 503 and a 429 as their Retry-After says (seconds, then an HTTP date), signed afresh', async () => {
    // An HTTP date has whole seconds: this one is exact.
    const notBefore = Math.ceil((Date.now() + 2500) / 1000) * 1000;
    gateway.failNext.push(
      { status: 503, body: '{"message":"Service Unavailable"}', headers: { 'retry-after': '1' } },
      {
        status: 429,
        body: '{"message":"Too Many Requests"}',
        headers: { 'retry-after': new Date(notBefore).toUTCString() },
      },
    );
    const run = await runCli(
      ['release', numbersFile(['14255551212']), '--stack', STACK, '--profile', 'ops'],
      { env: profileEnv },
    );

    expect(run.code, run.stderr).toBe(0);
    expect(gateway.requests.map((request) => request.verdict)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const [first, second, third] = gateway.requests.map((request) => request.at) as number[];
    expect((second as number) - (first as number)).toBeGreaterThanOrEqual(1000);
    expect(third).toBeGreaterThanOrEqual(notBefore);
    expect(released()).toEqual(['14255551212']);
  });

  it("reports a request's items failed with the HTTP status once the retries are spent", async () => {
    for (let attempt = 0; attempt < 4; attempt++) {
      gateway.failNext.push({
        status: 503,
        body: '{"message":"Service Unavailable"}',
        headers: { 'retry-after': '0' },
      });
    }
    const results = path.join(dir, 'results.csv');

    const run = await runCli(
      [
        'release',
        numbersFile(['14255551212', '14255551217']),
        '--stack',
        STACK,
        '--profile',
        'ops',
        '--out',
        results,
      ],
      { env: profileEnv },
    );

    expect(run.code).toBe(1);
    const rows = parse(readFileSync(results, 'utf8'), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(rows.map((row) => [row.number, row.outcome, row.errorCode, row.retryable])).toEqual([
      ['14255551212', 'failed', 'HTTP_503', 'true'],
      ['14255551217', 'failed', 'HTTP_503', 'true'],
    ]);
    expect(rows[0]?.errorMessage).toBe('HTTP 503 after 4 attempts: Service Unavailable');
    expect(released()).toEqual([]);
  });

  it("exits 3 on the function's 500 CONFIGURATION_ERROR, without retrying it", async () => {
    gateway.failNext.push({
      status: 500,
      body: JSON.stringify({
        requestId: 'r1',
        error: { code: 'CONFIGURATION_ERROR', message: 'The secret callfire/prod was not found' },
      }),
    });

    const run = await runCli(
      ['release', numbersFile(['14255551212']), '--stack', STACK, '--profile', 'ops'],
      { env: profileEnv },
    );

    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'misconfigured (HTTP 500 CONFIGURATION_ERROR): The secret callfire/prod was not found',
    );
    expect(gateway.requests).toHaveLength(1);
  });
});
