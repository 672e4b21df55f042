/**
 * `schedule create|list|cancel`: one-off EventBridge Scheduler schedules in the stack's schedule
 * group, made as README's "Schedule a one-off release" makes them: `at(...)` in a time zone, no
 * flexible window, deleted after completion, the release request as the target's Input, retries
 * and the failure queue as dead-letter queue. At most 100 items per schedule: more make one
 * schedule per request of 100, named NAME-1, NAME-2, …
 */
import { randomInt } from 'node:crypto';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  type ScheduleSummary,
} from '@aws-sdk/client-scheduler';
import { InvalidRequestError, RequestExpiredError } from '../../functions/release/errors';
import { parseReleaseRequest } from '../../functions/release/request';
import type { AwsOptions } from '../aws';
import { awsFailure, clientConfig } from '../aws';
import { type Chunk, chunkItems, releaseRequest } from '../chunks';
import { CliError, EXIT, listAtMost, usageError } from '../errors';
import { readItems } from '../input';
import { note, printJson, say, table } from '../report';
import { describeStack, type Stack, stackOutput } from '../stack-outputs';
import { instantOf, isTimeZone, wallTime } from '../zoned-time';
import { announceInput } from './common';

/** How long after its time a scheduled request still releases (its `notAfter`). */
export const SCHEDULE_GRACE_HOURS = 6;
const NAME_PATTERN = /^[0-9A-Za-z._-]{1,64}$/;

export interface ScheduleFlags extends AwsOptions {
  stack?: string;
  json?: boolean;
}

export interface ScheduleCreateFlags extends ScheduleFlags {
  numbers?: string[];
  at?: string;
  timezone?: string;
  name?: string;
  confirmKeywordRelease?: boolean;
  skipConfigured?: boolean;
}

/** The stack and a Scheduler client for its region; `--stack` is required (no local Scheduler). */
async function schedulerOf(
  flags: ScheduleFlags,
): Promise<{ stack: Stack; client: SchedulerClient; group: string }> {
  if (!flags.stack)
    throw usageError('schedules need --stack NAME (EventBridge Scheduler has no local stand-in)');
  const stack = await describeStack(flags.stack, flags);
  const group = stackOutput(stack, 'ScheduleGroupName');
  return { stack, client: new SchedulerClient(clientConfig(stack.aws)), group };
}

/** `schedule create`: resolves with the exit code. */
export async function scheduleCreateCommand(
  file: string | undefined,
  flags: ScheduleCreateFlags,
): Promise<number> {
  const { time, zone, at } = checkTime(flags);
  const input = await readItems(file, flags.numbers);
  announceInput(input);
  const chunks = chunkItems(input.items);
  const base = scheduleName(flags.name, time, chunks.length);
  const notAfter = new Date(at + SCHEDULE_GRACE_HOURS * 3_600_000)
    .toISOString()
    .replace('.000Z', 'Z');
  const inputs = chunks.map((chunk) => scheduleInput(chunk, flags, notAfter));
  const { stack, client, group } = await schedulerOf(flags);
  const target = {
    Arn: stackOutput(stack, 'ReleaseFunctionArn'),
    RoleArn: stackOutput(stack, 'SchedulerRoleArn'),
    RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
    DeadLetterConfig: { Arn: stackOutput(stack, 'FailuresQueueArn') },
  };
  const requests = chunks.map(
    (chunk, index): CreateScheduleCommandInput => ({
      Name: chunks.length > 1 ? `${base}-${index + 1}` : base,
      GroupName: group,
      ScheduleExpression: `at(${time})`,
      ScheduleExpressionTimezone: zone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Description: `callfire-release: ${chunk.items.length} items${chunks.length > 1 ? ` (part ${index + 1} of ${chunks.length})` : ''}`,
      Target: { ...target, Input: JSON.stringify(inputs[index]) },
    }),
  );
  try {
    await createAll(client, requests, stack.aws);
  } finally {
    client.destroy();
  }
  const names = requests.map((request) => request.Name);
  if (flags.json) {
    printJson({
      group,
      schedules: names,
      at: time,
      timezone: zone,
      items: input.items.length,
      notAfter,
    });
  } else {
    say(
      `Scheduled ${input.items.length} items at ${time} ${zone} in group ${group}: ${names.join(', ')}`,
    );
    say(`Each request expires at ${notAfter} (notAfter): a release delivered later does nothing.`);
    say(`Cancel: npx callfire-release schedule cancel ${base} --stack ${flags.stack}`);
  }
  return EXIT.ok;
}

/** `--name`, or `release-<yyyymmdd>-<hhmm>-<4 random>`; room is left for `-<part>`. */
function scheduleName(name: string | undefined, time: string, parts: number): string {
  const base =
    name ?? `release-${time.slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}-${randomSuffix()}`;
  const suffix = parts > 1 ? `-${parts}` : '';
  if (!NAME_PATTERN.test(`${base}${suffix}`)) {
    throw usageError(
      `--name: letters, digits, . _ - only, at most ${64 - suffix.length} characters`,
    );
  }
  return base;
}

/** Creates every schedule, or none: a failure deletes those this run created. */
async function createAll(
  client: SchedulerClient,
  requests: readonly CreateScheduleCommandInput[],
  aws: AwsOptions,
): Promise<void> {
  const created: string[] = [];
  for (const request of requests) {
    try {
      await client.send(new CreateScheduleCommand(request));
    } catch (error) {
      await rollback(client, request.GroupName ?? '', created);
      throw schedulerFailure(
        error,
        `creating schedule ${request.Name} in group ${request.GroupName}`,
        aws,
      );
    }
    created.push(request.Name as string);
  }
}

function checkTime(flags: ScheduleCreateFlags): { time: string; zone: string; at: number } {
  if (!flags.at) throw usageError('--at is required: the local time, such as 2026-12-24T09:00');
  if (!flags.timezone)
    throw usageError('--timezone is required: an IANA zone such as America/Los_Angeles or UTC');
  const time = wallTime(flags.at);
  if (!time)
    throw usageError(
      `--at ${flags.at}: expected a date and time such as 2026-12-24T09:00 (no offset: --timezone says where)`,
    );
  if (!isTimeZone(flags.timezone))
    throw usageError(
      `--timezone ${flags.timezone}: not a time zone (an IANA name such as America/Los_Angeles)`,
    );
  const at = instantOf(time, flags.timezone);
  if (at <= Date.now())
    throw usageError(
      `--at ${time} ${flags.timezone} is in the past (${new Date(at).toISOString()})`,
    );
  return { time, zone: flags.timezone, at };
}

/**
 * The target's Input for `chunk`: a release request, checked with the function's own validator
 * before anything is created.
 */
function scheduleInput(
  chunk: Chunk,
  flags: ScheduleCreateFlags,
  notAfter: string,
): Record<string, unknown> {
  const request = releaseRequest(chunk.items, {
    confirmKeywordRelease: flags.confirmKeywordRelease,
    skipConfigured: flags.skipConfigured,
    notAfter,
  });
  try {
    parseReleaseRequest(request);
  } catch (error) {
    if (!(error instanceof InvalidRequestError || error instanceof RequestExpiredError))
      throw error;
    const issues =
      error instanceof InvalidRequestError
        ? error.issues.map(({ path, message }) => `${path}: ${message}`)
        : [error.message];
    throw usageError(
      `the scheduled release request would be refused, nothing was created:\n${listAtMost(issues)}`,
    );
  }
  return request;
}

function randomSuffix(): string {
  return Array.from(
    { length: 4 },
    () => 'abcdefghijklmnopqrstuvwxyz0123456789'[randomInt(36)],
  ).join('');
}

/** Deletes what this run created before a later schedule failed: all or nothing. */
async function rollback(
  client: SchedulerClient,
  group: string,
  names: readonly string[],
): Promise<void> {
  for (const name of names) {
    try {
      await client.send(new DeleteScheduleCommand({ Name: name, GroupName: group }));
      note(`deleted ${name} again (the schedules are created all or none)`);
    } catch {
      note(`could not delete ${name}: cancel it with schedule cancel ${name}`);
    }
  }
}

/** A Scheduler error: the operator's input (exit 2) for a name taken or a refused value. */
function schedulerFailure(error: unknown, doing: string, aws: AwsOptions): CliError {
  const name = (error as Error)?.name;
  const message = (error as Error)?.message ?? '';
  if (name === 'ConflictException')
    return usageError(
      `${doing}: a schedule of that name exists (choose another --name): ${message}`,
    );
  if (name === 'ValidationException') return usageError(`${doing}: ${message}`);
  return awsFailure(error, doing, aws);
}

/** Every schedule of the group (all pages), optionally those starting with `prefix`. */
async function listAll(
  client: SchedulerClient,
  group: string,
  prefix?: string,
): Promise<ScheduleSummary[]> {
  const schedules: ScheduleSummary[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListSchedulesCommand({
        GroupName: group,
        ...(prefix && { NamePrefix: prefix }),
        ...(token && { NextToken: token }),
      }),
    );
    schedules.push(...(page.Schedules ?? []));
    token = page.NextToken;
  } while (token);
  return schedules;
}

/** `schedule list`. */
export async function scheduleListCommand(flags: ScheduleFlags): Promise<number> {
  const { stack, client, group } = await schedulerOf(flags);
  try {
    const schedules = await listAll(client, group);
    if (flags.json) {
      printJson({
        group,
        schedules: schedules.map(({ Name, State, CreationDate }) => ({
          name: Name,
          state: State,
          created: CreationDate,
        })),
      });
    } else if (schedules.length === 0) say(`No schedules in group ${group}.`);
    else {
      say(
        table(
          ['NAME', 'STATE', 'CREATED'],
          schedules.map((entry) => [
            entry.Name ?? '',
            entry.State ?? '',
            entry.CreationDate?.toISOString() ?? '',
          ]),
        ),
      );
    }
    return EXIT.ok;
  } catch (error) {
    throw schedulerFailure(error, `listing the schedules of group ${group}`, stack.aws);
  } finally {
    client.destroy();
  }
}

/** `schedule cancel NAME`: that schedule, or all the parts NAME-1, NAME-2… of a split one. */
export async function scheduleCancelCommand(name: string, flags: ScheduleFlags): Promise<number> {
  if (!NAME_PATTERN.test(name))
    throw usageError(`${name}: not a schedule name (letters, digits, . _ -)`);
  const { stack, client, group } = await schedulerOf(flags);
  try {
    const parts = (await listAll(client, group, name))
      .map((entry) => entry.Name ?? '')
      .filter(
        (candidate) =>
          candidate === name || new RegExp(`^${name.replace(/[.]/g, '\\.')}-\\d+$`).test(candidate),
      );
    if (parts.length === 0)
      throw usageError(
        `no schedule ${name} in group ${group} (schedule list shows them; a one-off schedule is deleted once it ran)`,
      );
    for (const part of parts)
      await client.send(new DeleteScheduleCommand({ Name: part, GroupName: group }));
    if (flags.json) printJson({ group, cancelled: parts });
    else say(`Cancelled ${parts.join(', ')} in group ${group}.`);
    return EXIT.ok;
  } catch (error) {
    throw error instanceof CliError
      ? error
      : schedulerFailure(error, `cancelling ${name} in group ${group}`, stack.aws);
  } finally {
    client.destroy();
  }
}
