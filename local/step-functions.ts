/**
 * A local AWS Step Functions endpoint (JSON 1.0 on 127.0.0.1) for the calls the job API and an
 * operator make: StartExecution, DescribeExecution, StopExecution, ListMapRuns, DescribeMapRun.
 * It RUNS executions: each state machine is deployed with the function that runs it (the release
 * job's is local/release-job-runner.ts). The SDK finds it through `AWS_ENDPOINT_URL_SFN`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AwsReply, awsError, jsonObject, refusalOf, sendAwsReply } from './aws-json-service';
import { type LoopbackServer, listenOnLoopback, readRequestBody } from './loopback-server';

const JSON_1_0 = 'application/x-amz-json-1.0';
const ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(stateMachine|execution|mapRun):\S+$/;
// AWS's rule: 1-80 characters; no whitespace, brackets, wildcards, control characters, "#%\^|~`$&,;:/
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
type Counted = 'pending' | 'running' | 'succeeded' | 'failed' | 'timedOut' | 'aborted' | 'total';
/** A Map Run's counts, of items (`itemCounts`) or of child executions (`executionCounts`). */
export type MapRunCounts = Record<Counted | 'resultsWritten', number>;

/** A Distributed Map's run as DescribeMapRun shows it, kept up to date by its runner. */
export interface MapRun {
  mapRunArn: string;
  /** Epoch seconds, as the JSON protocols send timestamps (here and below). */
  startDate: number;
  stopDate?: number;
  status: ExecutionStatus;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  itemCounts: MapRunCounts;
  executionCounts: MapRunCounts;
}

/** Which execution a run is. */
export interface ExecutionIds {
  executionArn: string;
  stateMachineArn: string;
  name: string;
}

/** One execution as the deployed state machine runs it. */
export interface ExecutionRun {
  /** The output; or a rejection whose `name` is the execution's error and `message` its cause. */
  result: Promise<unknown>;
  abort(): void;
  readonly mapRuns: readonly MapRun[];
}

/** Runs one execution of a deployed state machine. */
export type StateMachineRun = (input: unknown, ids: ExecutionIds) => ExecutionRun;

/** An execution as DescribeExecution shows it, with its run; `closed` settles when it ends. */
export interface Execution extends ExecutionIds {
  status: ExecutionStatus;
  input: string;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  run: ExecutionRun;
  closed: Promise<void>;
}

type Body = Record<string, unknown>;
const ok = (json: object): AwsReply => ({ status: 200, json });
const now = () => Date.now() / 1000;

/** Starts the endpoint on 127.0.0.1 (`port` 0 or absent: a free one). */
export function startLocalStepFunctions(options: { port?: number } = {}) {
  return new LocalStepFunctions().listen(options.port);
}

/** The running endpoint: `deploy` a state machine, then start executions of it through the SDK. */
export class LocalStepFunctions {
  /** Every execution by ARN, closed ones included (AWS keeps them 90 days). */
  readonly executions = new Map<string, Execution>();
  /** Every request's operation, in order. */
  readonly requests: Array<{ operation: string; at: number }> = [];
  readonly #machines = new Map<string, StateMachineRun>();
  #server: LoopbackServer | undefined;
  readonly #operations: Record<string, (body: Body) => AwsReply> = {
    StartExecution: (body) => this.#start(body),
    DescribeExecution: (body) => this.#find(body, ({ run, closed, ...execution }) => ok(execution)),
    StopExecution: (body) => this.#find(body, (execution) => this.#stop(execution, body)),
    ListMapRuns: (body) => this.#find(body, listMapRuns),
    DescribeMapRun: (body) => this.#describeMapRun(body),
  };

  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_SFN`. */
  get endpoint(): string {
    return `${this.#server?.origin}`;
  }

  /** Creates (or replaces) the state machine `stateMachineArn`, run by `run`. */
  deploy(stateMachineArn: string, run: StateMachineRun): void {
    this.#machines.set(stateMachineArn, run);
  }

  async listen(port?: number): Promise<this> {
    this.#server = await listenOnLoopback((request, out) => this.#handle(request, out), port);
    return this;
  }

  /** Aborts the running executions and stops the server. */
  async close(): Promise<void> {
    for (const execution of this.executions.values()) this.#stop(execution, {});
    await this.#server?.close();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const operation = String(request.headers['x-amz-target']).replace('AWSStepFunctions.', '');
    this.requests.push({ operation, at: Date.now() });
    const raw = await readRequestBody(request, 1024 * 1024);
    if (raw === undefined) return void request.socket.destroy(); // too large, or client gone
    const body = jsonObject(raw);
    const targets = Object.keys(this.#operations).map((name) => `AWSStepFunctions.${name}`);
    const refusal = refusalOf(request, body, { targets, protocol: JSON_1_0 });
    const reply = refusal ?? (this.#operations[operation] as (body: Body) => AwsReply)(body ?? {});
    sendAwsReply(response, reply, JSON_1_0);
  }

  #start(body: Body): AwsReply {
    const { stateMachineArn: machine, name = randomUUID(), input = '{}' } = body;
    const run = this.#machines.get(String(machine));
    const parsed = typeof input === 'string' ? parseJson(input) : undefined;
    const arn = `${String(machine).replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(arn);
    const refusal = firstOf([
      [!ARN.test(String(machine)), 'InvalidArn', `Invalid Arn: '${machine}'`],
      [!run, 'StateMachineDoesNotExist', `State Machine Does Not Exist: '${machine}'`],
      [typeof name !== 'string' || !NAME.test(name), 'InvalidName', `Invalid Name: '${name}'`],
      [parsed === undefined, 'InvalidExecutionInput', 'Invalid State Machine Execution Input'],
      // Idempotent for Standard state machines: the same name and input while the execution runs
      // is that execution; a closed one, or another input, is a conflict.
      [
        existing !== undefined && (existing.status !== 'RUNNING' || existing.input !== input),
        'ExecutionAlreadyExists',
        `Execution Already Exists: '${arn}'`,
      ],
    ]);
    if (refusal) return refusal;
    const ids = { executionArn: arn, stateMachineArn: String(machine), name: String(name) };
    const execution = existing ?? this.#run(run as StateMachineRun, ids, String(input), parsed);
    return ok({ executionArn: arn, startDate: execution.startDate });
  }

  #run(machine: StateMachineRun, ids: ExecutionIds, input: string, parsed: unknown): Execution {
    const run = machine(parsed, ids);
    const execution = { ...ids, status: 'RUNNING', input, startDate: now(), run } as Execution;
    // A run that ends after StopExecution changes nothing: the execution is ABORTED already.
    const close = (status: ExecutionStatus, fields: Partial<Execution>) => {
      if (execution.status === 'RUNNING')
        Object.assign(execution, { status, stopDate: now(), ...fields });
    };
    execution.closed = run.result.then(
      (output) => close('SUCCEEDED', { output: JSON.stringify(output ?? null) }),
      (error: Error) => close('FAILED', { error: error.name, cause: error.message }),
    );
    this.executions.set(ids.executionArn, execution);
    return execution;
  }

  #stop(execution: Execution, { error, cause }: Body): AwsReply {
    if (execution.status === 'RUNNING') {
      Object.assign(execution, { status: 'ABORTED', stopDate: now() });
      if (typeof error === 'string') execution.error = error;
      if (typeof cause === 'string') execution.cause = cause;
      execution.run.abort();
    }
    return ok({ stopDate: execution.stopDate ?? now() });
  }

  #find(body: Body, answer: (execution: Execution, body: Body) => AwsReply): AwsReply {
    const arn = String(body.executionArn);
    const execution = this.executions.get(arn);
    if (execution) return answer(execution, body);
    if (!ARN.test(arn)) return awsError('InvalidArn', `Invalid Arn: '${arn}'`);
    return awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  }

  #describeMapRun({ mapRunArn: arn }: Body): AwsReply {
    for (const { executionArn, run } of this.executions.values()) {
      const mapRun = run.mapRuns.find((candidate) => candidate.mapRunArn === arn);
      if (mapRun) return ok({ ...mapRun, executionArn, toleratedFailureCount: 0, redriveCount: 0 });
    }
    if (!ARN.test(String(arn))) return awsError('InvalidArn', `Invalid Arn: '${arn}'`);
    return awsError('ResourceNotFound', `Resource not found: '${arn}'`);
  }
}

/** One page: an execution has at most one Map Run per Map state, so never a `nextToken`. */
function listMapRuns(execution: Execution, { maxResults }: Body): AwsReply {
  const limit = typeof maxResults === 'number' && maxResults > 0 ? maxResults : 100;
  const { executionArn, stateMachineArn } = execution;
  const mapRuns = execution.run.mapRuns
    .slice(0, limit)
    .map(({ mapRunArn, startDate, stopDate }) => ({
      mapRunArn,
      executionArn,
      stateMachineArn,
      startDate,
      stopDate,
    }));
  return ok({ mapRuns });
}

/** The error of the first rule that holds, as AWS answers it. */
function firstOf(rules: Array<[holds: boolean, code: string, message: string]>) {
  const [, code, message] = rules.find(([holds]) => holds) ?? [];
  return code === undefined ? undefined : awsError(code, message ?? '');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
