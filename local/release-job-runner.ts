/**
 * Runs the release job state machine locally from infra/release-job.asl.json, the file AWS runs,
 * with its substitutions filled in. The Distributed Map's ItemReader, ItemBatcher,
 * MaxConcurrencyPath, ToleratedFailurePercentage and ResultWriter run here (aws-local-stepfunctions
 * runs none of them); every other state, each batch's ItemProcessor included, runs in
 * aws-local-stepfunctions, whose Task states call, by their Resource, the bundles' handlers in this
 * process or the local S3. What differs from AWS: README.md, "Local stand-ins".
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { ChildExecutionRecord, ResultManifest } from '../functions/jobs/job-contract';
import { lambdaContext } from './lambda-context';
import type { ExecutionIds, MapRun, MapRunCounts, StateMachineRun } from './step-functions';

// aws-local-stepfunctions 3.0.0 declares Node >= 22 because each Task state calls
// Promise.withResolvers, which Node 20 lacks (CI runs the suite on both): the standard's
// definition, only where it is missing.
(Promise as unknown as Record<string, unknown>).withResolvers ??= <T>() => {
  const resolvers = {} as { resolve(value: T): void; reject(reason?: unknown): void };
  const promise = new Promise<T>((resolve, reject) =>
    Object.assign(resolvers, { resolve, reject }),
  );
  return { promise, ...resolvers };
};

/** The deployed functions' timeout (serverless.yml): each local invocation gets as long. */
const LAMBDA_TIMEOUT_SECONDS = 300;
const DEFINITION = path.resolve(__dirname, '../infra/release-job.asl.json');
const SDK_GET_OBJECT = 'arn:aws:states:::aws-sdk:s3:getObject';
/** The Map fields this runner runs; a definition with another is refused at start-up. */
const MAP_FIELDS = new Set(
  `Type Comment Label ItemReader ItemBatcher MaxConcurrencyPath ToleratedFailurePercentage
  ItemProcessor ResultWriter ResultPath Next End`.split(/\s+/),
);

/** A Lambda handler, as a bundle exports it. */
export type LambdaHandler = (event: unknown, context: Context) => unknown;

export interface ReleaseJobRunnerOptions {
  /** What infra/release-job.yml fills in; the function ARNs are keys of `functions`. */
  substitutions: { JobsBucket: string; ReleaseFunctionArn: string; FinalizeFunctionArn: string };
  /** The handlers the Task states invoke, by function ARN. */
  functions: Record<string, LambdaHandler>;
  /** A client of the local S3 (ItemReader, CheckStop, ResultWriter). */
  s3: S3Client;
  /** How long every Retry waits, instead of IntervalSeconds × BackoffRate^n with jitter: 100 ms. */
  retryDelayMs?: number;
}

type Json = Record<string, unknown>;
type State = Json & { Type: string; Next?: string; End?: boolean };
type Definition = { StartAt: string; States: Record<string, State> };
type Machine = (input: unknown, ids: ExecutionIds) => { result: Promise<unknown>; abort(): void };
type Batch = { Items: unknown[]; BatchInput: Json };
/** A child execution (one batch) as ResultWriter records it. */
type ChildRecord = ChildExecutionRecord & {
  ExecutionArn: string;
  StartDate: string;
  StopDate: string;
};
interface MapState extends State {
  Label?: string;
  ItemReader: { ReaderConfig?: { InputType?: string }; Parameters: Json };
  ItemBatcher: { MaxItemsPerBatch: number; BatchInput?: Json };
  MaxConcurrencyPath: string;
  ToleratedFailurePercentage?: number;
  ItemProcessor: Definition & { ProcessorConfig?: { Mode?: string } };
  ResultWriter: { Parameters: Json };
  ResultPath: string;
}

/**
 * The run function to deploy on the local Step Functions endpoint. The definition is read and
 * checked now: a Map field or a Task resource this runner cannot run fails at start-up.
 *
 * @example stepFunctions.deploy(arn, createReleaseJobRunner({ substitutions, functions, s3 }))
 */
export function createReleaseJobRunner(options: ReleaseJobRunnerOptions): StateMachineRun {
  let text = readFileSync(DEFINITION, 'utf8');
  for (const [name, value] of Object.entries(options.substitutions)) {
    text = text.replaceAll(`\${${name}}`, value);
  }
  const definition = JSON.parse(text) as Definition;
  const machines = new Map<string, Machine>();
  for (const [name, state] of Object.entries(definition.States)) {
    const extra = Object.keys(state).filter((field) => !MAP_FIELDS.has(field));
    const map = isDistributedMap(state);
    if (map && (extra.length > 0 || state.ItemReader.ReaderConfig?.InputType !== 'JSON')) {
      throw new Error(`the local runner cannot run ${extra.join() || 'ReaderConfig'} of ${name}`);
    }
    // Any other state runs alone, ended, so that the library applies its Retry, Catch and paths.
    const { Next: _next, ...alone } = state;
    const single = { StartAt: name, States: { [name]: { ...alone, End: true } } };
    machines.set(name, machineOf(map ? state.ItemProcessor : single, options));
  }
  return (input, ids) => {
    const run = new Run(definition, machines, options.s3, ids);
    return { result: run.states(input), abort: () => run.stop.abort(), mapRuns: run.mapRuns };
  };
}

/** One execution. */
class Run {
  readonly mapRuns: MapRun[] = [];
  readonly stop = new AbortController();

  constructor(
    private readonly definition: Definition,
    private readonly machines: Map<string, Machine>,
    private readonly s3: S3Client,
    private readonly ids: ExecutionIds,
  ) {}

  async states(input: unknown): Promise<unknown> {
    let data = input;
    for (let name: string | undefined = this.definition.StartAt; name; ) {
      const state = this.definition.States[name] as State;
      const machine = this.machines.get(name) as Machine;
      if (isDistributedMap(state)) data = await this.#map(name, state, machine, data as Json);
      else data = await settled(machine(data, this.ids).result);
      name = state.End ? undefined : state.Next;
    }
    return data;
  }

  async #map(name: string, state: MapState, processor: Machine, input: Json): Promise<unknown> {
    const { MaxItemsPerBatch: size, BatchInput: template = {} } = state.ItemBatcher;
    const items = await this.#readItems(resolve(state.ItemReader.Parameters, input));
    const BatchInput = resolve(template, input);
    const batches = Array.from({ length: Math.ceil(items.length / size) }, (_, at) => ({
      Items: items.slice(at * size, (at + 1) * size),
      BatchInput,
    }));
    const [label, id] = [state.Label ?? name, randomUUID()];
    const machineArn = this.ids.stateMachineArn;
    const mapRun: MapRun = {
      mapRunArn: `${machineArn.replace(':stateMachine:', ':mapRun:')}/${label}:${id}`,
      startDate: Date.now() / 1000,
      status: 'RUNNING',
      maxConcurrency: Number(valueAt(state.MaxConcurrencyPath, input)),
      toleratedFailurePercentage: state.ToleratedFailurePercentage ?? 0,
      itemCounts: counts(items.length),
      executionCounts: counts(batches.length),
    };
    this.mapRuns.push(mapRun);
    const records = await this.#batches(batches, mapRun, (batch) =>
      this.#batch(batch, mapRun, processor, label),
    );
    const stopped = this.stop.signal.aborted;
    const writer = resolve(state.ResultWriter.Parameters, input);
    // Stopped, nothing is written: the execution is ABORTED, and Finalize never runs.
    const details = stopped ? undefined : await this.#write(writer, id, mapRun, records);
    const exceeded = tooManyFailed(mapRun);
    closeMapRun(mapRun, stopped ? 'ABORTED' : exceeded ? 'FAILED' : 'SUCCEEDED');
    if (stopped) throw named('States.Aborted', 'the execution was stopped');
    if (exceeded) throw named('States.ExceedToleratedFailureThreshold', exceeded);
    const result = { MapRunArn: mapRun.mapRunArn, ResultWriterDetails: details };
    return { ...input, [pathField(state.ResultPath)]: result };
  }

  /** MaxConcurrency batches at a time (0: all at once), until stopped or failing too often. */
  async #batches(batches: Batch[], mapRun: MapRun, run: (batch: Batch) => Promise<ChildRecord>) {
    const records: ChildRecord[] = [];
    const worker = async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        records.push(await run(batch));
        if (this.stop.signal.aborted || tooManyFailed(mapRun)) return;
      }
    };
    const width = mapRun.maxConcurrency > 0 ? mapRun.maxConcurrency : batches.length;
    await Promise.all(Array.from({ length: Math.min(width, batches.length) }, worker));
    return records;
  }

  /** One batch, as a child execution; the Map Run counts its items when it ends. */
  async #batch(batch: Batch, mapRun: MapRun, processor: Machine, label: string) {
    const { executionArn, stateMachineArn } = this.ids;
    const Name = randomUUID();
    const ExecutionArn = `${executionArn.slice(0, executionArn.lastIndexOf(':'))}/${label}:${Name}`;
    const [Input, StartDate] = [JSON.stringify(batch), new Date().toISOString()];
    move(mapRun, batch.Items.length, 'pending', 'running');
    const child = processor(batch, { executionArn: ExecutionArn, stateMachineArn, name: Name });
    const abort = () => child.abort();
    this.stop.signal.addEventListener('abort', abort, { once: true });
    let ended: Pick<ChildRecord, 'Status' | 'Output' | 'Error' | 'Cause'>;
    try {
      ended = { Status: 'SUCCEEDED', Output: JSON.stringify(await settled(child.result)) };
    } catch (error) {
      const { name, message } = error as Error;
      const failed = { Status: 'FAILED', Error: name, Cause: message };
      ended = this.stop.signal.aborted ? { Status: 'ABORTED' } : failed;
    } finally {
      this.stop.signal.removeEventListener('abort', abort);
    }
    const to = ({ SUCCEEDED: 'succeeded', FAILED: 'failed' } as const)[ended.Status] ?? 'aborted';
    move(mapRun, batch.Items.length, 'running', to);
    return { ExecutionArn, Name, Input, ...ended, StartDate, StopDate: new Date().toISOString() };
  }

  /** ItemReader, `s3:getObject` with `InputType: JSON`: the object must be a JSON array. */
  async #readItems({ Bucket, Key }: Json): Promise<unknown[]> {
    const items = await readObject(this.s3, `${Bucket}`, `${Key}`)
      .then((text) => JSON.parse(text) as unknown)
      .catch((error: Error) => error);
    if (Array.isArray(items)) return items;
    const why = items instanceof Error ? items.name : 'not a JSON array';
    throw named('States.ItemReaderFailed', `s3://${Bucket}/${Key}: ${why}`);
  }

  /** ResultWriter: `<Prefix>/<id>/SUCCEEDED_0.json`, `FAILED_0.json` (if any), `manifest.json`. */
  async #write({ Bucket, Prefix }: Json, id: string, mapRun: MapRun, records: ChildRecord[]) {
    const put = async (Key: string, Body: string) => {
      const type = { ContentType: 'application/json' };
      await this.s3.send(new PutObjectCommand({ Bucket: `${Bucket}`, Key, Body, ...type }));
      return { Key, Size: Buffer.byteLength(Body) };
    };
    const directory = `${Prefix}/${id}`;
    const succeeded = records.filter((record) => record.Status === 'SUCCEEDED');
    const failed = records.filter((record) => record.Status !== 'SUCCEEDED');
    const file = (name: string, listed: ChildRecord[]) =>
      listed.length === 0 ? [] : [put(`${directory}/${name}_0.json`, JSON.stringify(listed))];
    const ResultFiles = {
      SUCCEEDED: await Promise.all(file('SUCCEEDED', succeeded)),
      FAILED: await Promise.all(file('FAILED', failed)),
      PENDING: [],
    };
    const { mapRunArn: MapRunArn } = mapRun;
    const manifest: ResultManifest = { DestinationBucket: `${Bucket}`, MapRunArn, ResultFiles };
    const { Key } = await put(`${directory}/manifest.json`, JSON.stringify(manifest));
    mapRun.executionCounts.resultsWritten = records.length;
    mapRun.itemCounts.resultsWritten = mapRun.itemCounts.succeeded + mapRun.itemCounts.failed;
    return { Bucket, Key };
  }
}

/** A library StateMachine whose Task states call their Resource's handler, retrying briefly. */
function machineOf(definition: Definition, options: ReleaseJobRunnerOptions): Machine {
  const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<never>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  const States: Record<string, State> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    const task = state.Type === 'Task';
    // The library times a Task out after 60 s unless told; AWS lets it run to the function's
    // own timeout.
    States[name] = task ? { TimeoutSeconds: LAMBDA_TIMEOUT_SECONDS, ...state } : state;
    if (task) taskResourceLocalHandlers[name] = taskHandler(`${state.Resource}`, options);
    if (state.Retry) retryIntervalOverrides[name] = options.retryDelayMs ?? 100;
  }
  const machine = new StateMachine({ StartAt: definition.StartAt, States } as never);
  const overrides = { taskResourceLocalHandlers, retryIntervalOverrides };
  return (input, { executionArn, name, stateMachineArn }) => {
    const context = {
      Execution: { Id: executionArn, Name: name },
      StateMachine: { Id: stateMachineArn },
    };
    return machine.run(input as never, { overrides, context });
  };
}

/** What a Task's Resource does locally: a bundle's handler by function ARN, or S3's GetObject. */
function taskHandler(resource: string, { functions, s3 }: ReleaseJobRunnerOptions) {
  const handler = functions[resource];
  if (handler) return (input: unknown) => invokeLocally(handler, resource, input) as Promise<never>;
  if (resource !== SDK_GET_OBJECT) throw new Error(`the local runner cannot run ${resource}`);
  return async (input: unknown): Promise<never> => {
    const { Bucket, Key } = input as { Bucket: string; Key: string };
    try {
      return { Body: await readObject(s3, Bucket, Key) } as never;
    } catch (error) {
      // Step Functions names an SDK integration's errors after the service and the SDK's
      // exception: NoSuchKey is S3.NoSuchKeyException, which CheckStop catches.
      const { name, message } = error as Error;
      throw named(`S3.${name.endsWith('Exception') ? name : `${name}Exception`}`, message);
    }
  };
}

/** An S3 object's body as text (an empty one when it has none). */
async function readObject(s3: S3Client, Bucket: string, Key: string): Promise<string> {
  const answer = await s3.send(new GetObjectCommand({ Bucket, Key }));
  return (await answer.Body?.transformToString('utf8')) ?? '';
}

/**
 * A synchronous invoke as Step Functions makes it: the payload and the answer through JSON, a
 * context with the deployed timeout, an error by its `name` with Lambda's JSON as its cause.
 */
async function invokeLocally(handler: LambdaHandler, functionArn: string, payload: unknown) {
  const functionName = functionArn.split(':')[6] ?? functionArn;
  const context = lambdaContext({ functionName, timeoutMs: LAMBDA_TIMEOUT_SECONDS * 1000 });
  const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));
  try {
    return throughJson(await handler(throughJson(payload), context));
  } catch (error) {
    const { name = 'Error', message = `${error}`, stack = '' } = error as Partial<Error>;
    const trace = stack.split('\n').slice(1, 6);
    throw named(name, JSON.stringify({ errorType: name, errorMessage: message, trace }));
  }
}

/**
 * The field of a `$.field` path: the only JSONPath the Map's fields use, so the only one this
 * small resolver knows (the ItemProcessor's paths are the library's).
 */
function pathField(jsonPath: string): string {
  const field = /^\$\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(jsonPath)?.[1];
  if (field) return field;
  throw new Error(`the local runner resolves "$.field" paths only, not ${jsonPath}`);
}

function valueAt(jsonPath: string, input: Json): unknown {
  const field = pathField(jsonPath);
  if (field in input) return input[field];
  throw named('States.Runtime', `The JSONPath '${jsonPath}' could not be found in the input`);
}

/** A payload template: `"key.$": "$.field"` becomes `key` with the input's value. */
function resolve(template: Json, input: Json): Json {
  const entries = Object.entries(template).map(([key, value]) =>
    key.endsWith('.$') ? [key.slice(0, -2), valueAt(`${value}`, input)] : [key, value],
  );
  return Object.fromEntries(entries);
}

function isDistributedMap(state: State): state is MapState {
  return (state as Partial<MapState>).ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** The library's ExecutionError wraps the state's error: the execution fails with that. */
function settled(result: Promise<unknown>): Promise<unknown> {
  return result.catch((error: unknown) => {
    throw error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  });
}

const counts = (total: number): MapRunCounts => ({
  ...{ pending: total, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0 },
  ...{ total, resultsWritten: 0 },
});

function move(mapRun: MapRun, items: number, from: keyof MapRunCounts, to: keyof MapRunCounts) {
  const { itemCounts, executionCounts } = mapRun;
  [itemCounts[from], itemCounts[to]] = [itemCounts[from] - items, itemCounts[to] + items];
  [executionCounts[from], executionCounts[to]] = [
    executionCounts[from] - 1,
    executionCounts[to] + 1,
  ];
}

/** Ends the Map Run; what never started counts as aborted. */
function closeMapRun(mapRun: MapRun, status: MapRun['status']): void {
  Object.assign(mapRun, { status, stopDate: Date.now() / 1000 });
  for (const tally of [mapRun.itemCounts, mapRun.executionCounts]) {
    [tally.aborted, tally.pending] = [tally.aborted + tally.pending, 0];
  }
}

/** Why the Map Run fails: more items failed than ToleratedFailurePercentage allows. */
function tooManyFailed({ itemCounts: { failed, total }, toleratedFailurePercentage }: MapRun) {
  if (total === 0 || (100 * failed) / total <= toleratedFailurePercentage) return undefined;
  return `${failed} of ${total} items failed; ${toleratedFailurePercentage} % tolerated`;
}

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}
