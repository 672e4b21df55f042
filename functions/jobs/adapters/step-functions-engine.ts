/**
 * The {@link JobEngine} on Step Functions: one execution of the release job state machine per
 * job, named by the job id. Four API calls: StartExecution, DescribeExecution, ListMapRuns,
 * DescribeMapRun. The SDK client honours `AWS_ENDPOINT_URL_SFN` (a local endpoint).
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  type AwsSource,
  failuresOf,
  REQUEST_TIMEOUTS,
  toAwsError,
} from '../../release/aws-read-errors';
import { type JobExecutionInput, parseExecutionJson } from '../job-contract';
import type { ExecutionStatus, JobEngine, JobExecution, JobProgress } from '../ports';
import { errorName } from './aws-errors';

const CONFIGURATION_FAILURES: Record<string, string> = {
  AccessDeniedException: 'refused access (check the function role)',
  StateMachineDoesNotExist: 'has no such state machine (check RELEASE_JOB_STATE_MACHINE_ARN)',
  StateMachineDeleting: 'is deleting the state machine',
  InvalidArn: 'refused the ARN (check RELEASE_JOB_STATE_MACHINE_ARN)',
};

/** A Step Functions client with timeouts that end a hung call (the SDK sets none by default). */
export function createSfnClient(): SFNClient {
  return new SFNClient({
    maxAttempts: 3,
    requestHandler: REQUEST_TIMEOUTS,
  });
}

/**
 * @param options.signal ends every call when the invocation's time is up
 */
export function createStepFunctionsEngine(options: {
  stateMachineArn: string;
  client: SFNClient;
  signal?: AbortSignal;
}): JobEngine {
  const { stateMachineArn, client, signal } = options;
  // arn:...:stateMachine:<name> → arn:...:execution:<name>:<execution name>
  const executionArn = (jobId: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${jobId}`;
  const call = (doing: string): AwsSource => ({
    service: 'Step Functions',
    endpointVariable: 'AWS_ENDPOINT_URL_SFN',
    doing,
    configurationFailures: failuresOf('Step Functions', CONFIGURATION_FAILURES, `, ${doing}`),
  });
  const send = signal ? { abortSignal: signal } : {};

  return {
    async start(input: JobExecutionInput) {
      const command = new StartExecutionCommand({
        stateMachineArn,
        name: input.jobId,
        input: JSON.stringify(input),
      });
      try {
        await client.send(command, send);
        return 'started';
      } catch (error) {
        if (errorName(error) === 'ExecutionAlreadyExists') return 'exists';
        throw toAwsError(error, call(`starting job ${input.jobId}`));
      }
    },

    async describe(jobId: string): Promise<JobExecution | undefined> {
      const command = new DescribeExecutionCommand({ executionArn: executionArn(jobId) });
      try {
        const answer = await client.send(command, send);
        return {
          status: (answer.status ?? 'RUNNING') as ExecutionStatus,
          input: (parseExecutionJson(answer.input) ?? {}) as Partial<JobExecutionInput>,
          ...(answer.output !== undefined && { output: parseExecutionJson(answer.output) }),
          startedAt: answer.startDate ?? new Date(0),
          ...(answer.stopDate && { stoppedAt: answer.stopDate }),
        };
      } catch (error) {
        if (errorName(error) === 'ExecutionDoesNotExist') return undefined;
        throw toAwsError(error, call(`looking up job ${jobId}`));
      }
    },

    async progress(jobId: string): Promise<JobProgress | undefined> {
      try {
        const list = new ListMapRunsCommand({ executionArn: executionArn(jobId), maxResults: 1 });
        const mapRunArn = (await client.send(list, send)).mapRuns?.[0]?.mapRunArn;
        if (mapRunArn === undefined) return undefined;
        const counts = (await client.send(new DescribeMapRunCommand({ mapRunArn }), send))
          .itemCounts;
        if (counts === undefined) return undefined;
        const { succeeded = 0, failed = 0, timedOut = 0, aborted = 0, total = 0 } = counts;
        return { total, done: succeeded + failed + timedOut + aborted };
      } catch (error) {
        throw toAwsError(error, call(`reading the progress of job ${jobId}`));
      }
    },
  };
}
