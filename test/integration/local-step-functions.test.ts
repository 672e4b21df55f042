/**
 * The local Step Functions endpoint's own semantics, through the real `@aws-sdk/client-sfn`: a
 * state machine deployed with a run the test ends by hand, so RUNNING lasts as long as needed.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalStepFunctions,
  type MapRun,
  startLocalStepFunctions,
} from '../../local/step-functions';
import { DUMMY_CREDENTIALS, failureOf } from '../helpers/aws-sdk';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:local-test';
const executionArn = (name: string) =>
  `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;

let endpoint: LocalStepFunctions;
let sfn: SFNClient;
/** How to end each execution, by name. */
const endings = new Map<string, { succeed(output: unknown): void; fail(error: Error): void }>();
const mapRun: MapRun = {
  mapRunArn: `${MACHINE.replace(':stateMachine:', ':mapRun:')}/Items:1`,
  startDate: 1_796_000_000,
  status: 'RUNNING',
  maxConcurrency: 2,
  toleratedFailurePercentage: 0,
  itemCounts: {
    pending: 3,
    running: 1,
    succeeded: 1,
    failed: 0,
    timedOut: 0,
    aborted: 0,
    total: 5,
    resultsWritten: 0,
  },
  executionCounts: {
    pending: 1,
    running: 1,
    succeeded: 1,
    failed: 0,
    timedOut: 0,
    aborted: 0,
    total: 3,
    resultsWritten: 0,
  },
};

beforeAll(async () => {
  endpoint = await startLocalStepFunctions();
  endpoint.deploy(MACHINE, (_input, { name }) => {
    let ending = { succeed: (_output: unknown) => {}, fail: (_error: Error) => {} };
    const result = new Promise((succeed, fail) => {
      ending = { succeed, fail };
    });
    endings.set(name, ending);
    const aborted = Object.assign(new Error('stopped'), { name: 'States.Aborted' });
    return {
      result,
      abort: () => ending.fail(aborted),
      mapRuns: name === 'with-map' ? [mapRun] : [],
    };
  });
  sfn = new SFNClient({
    endpoint: endpoint.endpoint,
    region: 'us-east-1',
    credentials: DUMMY_CREDENTIALS,
  });
});

afterAll(async () => {
  await endpoint?.close();
});

const start = (name: string, input = '{"a":1}') =>
  sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name, input }));
const describeExecution = (name: string) =>
  sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(name) }));

describe('local Step Functions endpoint', () => {
  it('starts idempotently: the same name and input while RUNNING is that execution; another input, or once closed, ExecutionAlreadyExists (400)', async () => {
    // Act
    const first = await start('same');
    const again = await start('same');
    const otherInput = await failureOf(start('same', '{"a":2}'));
    endings.get('same')?.succeed({ done: true });
    await endpoint.executions.get(executionArn('same'))?.closed;
    const closed = await failureOf(start('same'));

    // Assess
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
    expect(endings.size).toBe(1);
    for (const refused of [otherInput, closed]) {
      expect(refused.name).toBe('ExecutionAlreadyExists');
      expect(refused.$metadata.httpStatusCode).toBe(400);
    }
  });

  it('describes an execution as it runs and ends: input, output, error and cause, dates', async () => {
    // Prepare
    await start('fails', '{"b":2}');
    const running = await describeExecution('fails');

    // Act
    endings
      .get('fails')
      ?.fail(Object.assign(new Error('{"errorMessage":"x"}'), { name: 'JobResultsError' }));
    await endpoint.executions.get(executionArn('fails'))?.closed;
    const failed = await describeExecution('fails');
    const succeeded = await describeExecution('same');
    const missing = await failureOf(describeExecution('none'));

    // Assess
    expect(running).toMatchObject({
      status: 'RUNNING',
      name: 'fails',
      input: '{"b":2}',
      stateMachineArn: MACHINE,
    });
    expect(running.startDate).toBeInstanceOf(Date);
    expect(running.stopDate).toBeUndefined();
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: 'JobResultsError',
      cause: '{"errorMessage":"x"}',
    });
    expect(failed.stopDate).toBeInstanceOf(Date);
    expect(succeeded).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}' });
    expect(missing.name).toBe('ExecutionDoesNotExist');
  });

  it('lists and describes the Map Run of an execution, with its item and execution counts', async () => {
    // Prepare
    await start('with-map');

    // Act
    const { mapRuns } = await sfn.send(
      new ListMapRunsCommand({ executionArn: executionArn('with-map') }),
    );
    const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRun.mapRunArn }));
    const none = await sfn.send(new ListMapRunsCommand({ executionArn: executionArn('fails') }));

    // Assess
    expect(mapRuns).toEqual([
      {
        mapRunArn: mapRun.mapRunArn,
        executionArn: executionArn('with-map'),
        stateMachineArn: MACHINE,
        startDate: new Date(mapRun.startDate * 1000),
      },
    ]);
    expect(described).toMatchObject({
      status: 'RUNNING',
      executionArn: executionArn('with-map'),
      maxConcurrency: 2,
      itemCounts: mapRun.itemCounts,
      executionCounts: mapRun.executionCounts,
    });
    expect(none.mapRuns).toEqual([]);
  });

  it('stops a running execution (ABORTED, with the error and cause given), and refuses what it does not have', async () => {
    // Act
    await sfn.send(
      new StopExecutionCommand({
        executionArn: executionArn('with-map'),
        error: 'Operator',
        cause: 'test',
      }),
    );
    const stopped = await describeExecution('with-map');
    const noMachine = await failureOf(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}-other`, name: 'x' })),
    );
    const badName = await failureOf(start('a name with spaces'));

    // Assess
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'test' });
    expect(noMachine.name).toBe('StateMachineDoesNotExist');
    expect(badName.name).toBe('InvalidName');
  });
});
