/**
 * `schedule create|list|cancel` through the real SDK against stand-ins of CloudFormation
 * (DescribeStacks: the group, role, function and failure queue) and EventBridge Scheduler
 * (CreateSchedule, ListSchedules, DeleteSchedule): the schedules are made as README's "Schedule a
 * one-off release" makes them, with the release request as Input.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseReleaseRequest } from '../../functions/release/request';
import { BULK_NUMBER_FIRST } from '../../local/callfire-default-account';
import { runCli, scratchDir } from '../helpers/cli';
import { startCloudFormationStandIn } from '../helpers/cloudformation-stand-in';
import { startSchedulerStandIn } from '../helpers/scheduler-stand-in';

const STACK = 'callfire-release-prod';
const OUTPUTS = {
  ReleaseEndpoint: 'https://abc123.execute-api.us-east-1.amazonaws.com/releases',
  ScheduleGroupName: 'callfire-release-prod',
  SchedulerRoleArn:
    'arn:aws:iam::123456789012:role/callfire-release-prod-SchedulerInvokeRole-EXAMPLE',
  ReleaseFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:callfire-release-prod',
  FailuresQueueArn: 'arn:aws:sqs:us-east-1:123456789012:callfire-release-prod-failures',
};
// Always ahead, whatever day the suite runs.
const YEAR = new Date().getUTCFullYear() + 1;
let cloudFormation: Awaited<ReturnType<typeof startCloudFormationStandIn>>;
let scheduler: Awaited<ReturnType<typeof startSchedulerStandIn>>;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  cloudFormation = await startCloudFormationStandIn({ [STACK]: OUTPUTS });
  scheduler = await startSchedulerStandIn({ pageSize: 2 });
});

afterAll(async () => {
  await Promise.all([cloudFormation?.close(), scheduler?.close()]);
});

beforeEach(() => {
  scheduler.schedules.clear();
  scheduler.requests.length = 0;
  scheduler.state.refuse = () => undefined;
  cloudFormation.requests.length = 0;
  dir = scratchDir();
  env = {
    AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.endpoint,
    AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDSCHEDULEREXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'scheduler-example-secret',
    AWS_REGION: 'us-east-1',
  };
});

function numbersFile(numbers: readonly string[]): string {
  const where = path.join(dir, 'numbers.csv');
  writeFileSync(where, `number\n${numbers.join('\n')}\n`);
  return where;
}

const bulk = (count: number) =>
  Array.from({ length: count }, (_, at) => `${BULK_NUMBER_FIRST + at}`);
const created = () => scheduler.requests.filter((request) => request.method === 'POST');

describe('callfire-release schedule create', () => {
  it('creates a one-off schedule exactly as the README does, with a valid release request as Input', async () => {
    const run = await runCli(
      [
        'schedule',
        'create',
        numbersFile(['14255551212', '+1 (425) 555-1217']),
        '--at',
        `${YEAR}-12-24T09:00`,
        '--timezone',
        'America/Los_Angeles',
        '--name',
        'xmas',
        '--skip-configured',
        '--stack',
        STACK,
      ],
      { env },
    );

    expect(run.code, run.stderr).toBe(0);
    expect(created()).toHaveLength(1);
    const [request] = created();
    expect(request?.path).toBe('/schedules/xmas');
    expect(request?.credentialScope).toMatch(
      /^AKIDSCHEDULEREXAMPLE\/\d{8}\/us-east-1\/scheduler\/aws4_request$/,
    );
    const { Target, ...schedule } = (request?.body ?? {}) as unknown as Record<string, unknown> & {
      Target: Record<string, unknown>;
    };
    expect(schedule).toMatchObject({
      Name: 'xmas',
      GroupName: OUTPUTS.ScheduleGroupName,
      ScheduleExpression: `at(${YEAR}-12-24T09:00:00)`,
      ScheduleExpressionTimezone: 'America/Los_Angeles',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
    });
    expect(Target).toEqual({
      Arn: OUTPUTS.ReleaseFunctionArn,
      RoleArn: OUTPUTS.SchedulerRoleArn,
      Input: expect.any(String),
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: OUTPUTS.FailuresQueueArn },
    });
    const input = JSON.parse(Target.Input as string);
    // 09:00 in Los Angeles in December is 17:00 UTC; the request expires six hours later.
    expect(input).toEqual({
      numbers: ['14255551212', '14255551217'],
      skipConfigured: true,
      notAfter: `${YEAR}-12-24T23:00:00Z`,
    });
    expect(parseReleaseRequest(input).numbers).toEqual(['14255551212', '14255551217']);
    expect(run.stdout).toContain(
      `Scheduled 2 items at ${YEAR}-12-24T09:00:00 America/Los_Angeles in group ${OUTPUTS.ScheduleGroupName}: xmas`,
    );
  });

  it('makes one schedule per 100 items, NAME-1, NAME-2, NAME-3', async () => {
    const run = await runCli(
      [
        'schedule',
        'create',
        numbersFile(bulk(250)),
        '--at',
        `${YEAR}-01-05T06:30`,
        '--timezone',
        'UTC',
        '--name',
        'q1',
        '--stack',
        STACK,
      ],
      { env },
    );

    expect(run.code, run.stderr).toBe(0);
    expect(created().map((request) => request.body?.Name)).toEqual(['q1-1', 'q1-2', 'q1-3']);
    const inputs = created().map((request) =>
      JSON.parse(String((request.body?.Target as { Input?: string } | undefined)?.Input)),
    );
    expect(inputs.map((input) => input.numbers.length)).toEqual([100, 100, 50]);
    expect(inputs.flatMap((input) => input.numbers)).toEqual(bulk(250));
    expect(
      created().every(
        (request) => request.body?.ScheduleExpression === `at(${YEAR}-01-05T06:30:00)`,
      ),
    ).toBe(true);
  });

  it('deletes the schedules it made when a later one is refused: all or none', async () => {
    scheduler.state.refuse = (name) => (name === 'q1-2' ? 'Invalid request' : undefined);

    const run = await runCli(
      [
        'schedule',
        'create',
        numbersFile(bulk(250)),
        '--at',
        `${YEAR}-01-05T06:30`,
        '--timezone',
        'UTC',
        '--name',
        'q1',
        '--stack',
        STACK,
      ],
      { env },
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('creating schedule q1-2');
    expect(created().map((request) => request.body?.Name)).toEqual(['q1-1', 'q1-2']);
    expect(scheduler.schedules.size).toBe(0);
  });

  it.each([
    ['a time in the past', ['--at', '2020-01-01T09:00', '--timezone', 'UTC'], 'is in the past'],
    [
      'an unknown time zone',
      ['--at', `${YEAR}-01-01T09:00`, '--timezone', 'Mars/Olympus'],
      'not a time zone',
    ],
    [
      'a date that does not exist',
      ['--at', `${YEAR}-02-30T09:00`, '--timezone', 'UTC'],
      'expected a date and time',
    ],
    ['no --at', ['--timezone', 'UTC'], '--at is required'],
  ])('refuses %s before calling AWS', async (_case, args, message) => {
    const run = await runCli(
      ['schedule', 'create', numbersFile(['14255551212']), ...args, '--stack', STACK],
      { env },
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(cloudFormation.requests).toEqual([]);
    expect(scheduler.requests).toEqual([]);
  });

  it("refuses keywords without --confirm-keyword-release with the function's own validator", async () => {
    const items = path.join(dir, 'keywords.csv');
    writeFileSync(items, 'keyword,shortCode\nVANILLA,67076\n');

    const run = await runCli(
      [
        'schedule',
        'create',
        items,
        '--at',
        `${YEAR}-01-01T09:00`,
        '--timezone',
        'UTC',
        '--stack',
        STACK,
      ],
      { env },
    );

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('confirmKeywordRelease: must be true to release keywords');
    expect(scheduler.requests).toEqual([]);
  });

  it('exits 2 on a name already taken, and needs --stack', async () => {
    const args = [
      'schedule',
      'create',
      numbersFile(['14255551212']),
      '--at',
      `${YEAR}-01-01T09:00`,
      '--timezone',
      'UTC',
      '--name',
      'once',
    ];
    expect((await runCli([...args, '--stack', STACK], { env })).code).toBe(0);

    const again = await runCli([...args, '--stack', STACK], { env });
    const local = await runCli(args, { env });

    expect(again.code).toBe(2);
    expect(again.stderr).toContain('a schedule of that name exists');
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('schedules need --stack');
  });
});

describe('callfire-release schedule list and cancel', () => {
  it('lists every page of the group and cancels a split schedule whole', async () => {
    const create = (name: string, count: number) =>
      runCli(
        [
          'schedule',
          'create',
          numbersFile(bulk(count)),
          '--at',
          `${YEAR}-03-01T08:00`,
          '--timezone',
          'Europe/Paris',
          '--name',
          name,
          '--stack',
          STACK,
        ],
        { env },
      );
    expect((await create('spring', 150)).code).toBe(0);
    expect((await create('solo', 1)).code).toBe(0);

    const listed = await runCli(['schedule', 'list', '--stack', STACK, '--json'], { env });
    const cancelled = await runCli(['schedule', 'cancel', 'spring', '--stack', STACK], { env });
    const unknown = await runCli(['schedule', 'cancel', 'spring', '--stack', STACK], { env });

    expect(listed.code, listed.stderr).toBe(0);
    expect(
      JSON.parse(listed.stdout).schedules.map((entry: { name: string }) => entry.name),
    ).toEqual(['spring-1', 'spring-2', 'solo']);
    const lists = scheduler.requests.filter((request) => request.method === 'GET');
    expect(lists[0]?.query).toEqual({ ScheduleGroup: OUTPUTS.ScheduleGroupName });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain('Cancelled spring-1, spring-2');
    expect([...scheduler.schedules.values()].map((entry) => entry.Name)).toEqual(['solo']);
    const deletes = scheduler.requests.filter((request) => request.method === 'DELETE');
    expect(deletes.map((request) => [request.path, request.query.groupName])).toEqual([
      ['/schedules/spring-1', OUTPUTS.ScheduleGroupName],
      ['/schedules/spring-2', OUTPUTS.ScheduleGroupName],
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no schedule spring');
  });
});
