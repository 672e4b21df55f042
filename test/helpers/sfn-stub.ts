/**
 * A stand-in for the four Step Functions calls the job API makes (StartExecution,
 * DescribeExecution, ListMapRuns, DescribeMapRun), speaking the service's JSON 1.0 protocol on
 * 127.0.0.1 so that the real SDK client (through `AWS_ENDPOINT_URL_SFN`) talks to it. It runs
 * nothing: a test moves an execution along by hand. Not the local runner: only what the bundle's
 * adapter needs to be checked end to end.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubExecution {
  executionArn: string;
  name: string;
  input: string;
  status: string;
  startDate: number;
  stopDate?: number;
  output?: string;
  /** The Map Run's item counts, once it "exists". */
  itemCounts?: Record<string, number>;
}

export interface SfnStub {
  url: string;
  /** The X-Amz-Target operation of every request, in order. */
  operations: string[];
  executions: Map<string, StubExecution>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

type Answer = [status: number, body: unknown];

function failure(type: string, message: string): Answer {
  return [400, { __type: `com.amazonaws.states#${type}`, message }];
}

function operate(
  operation: string,
  body: Record<string, unknown>,
  executions: Map<string, StubExecution>,
): Answer {
  const byArn = (arn: unknown) =>
    [...executions.values()].find((execution) => execution.executionArn === arn);
  switch (operation) {
    case 'StartExecution': {
      const machine = String(body.stateMachineArn);
      const name = String(body.name);
      if (executions.has(name))
        return failure('ExecutionAlreadyExists', `Execution ${name} exists`);
      const executionArn = `${machine.replace(':stateMachine:', ':execution:')}:${name}`;
      const input = String(body.input);
      executions.set(name, {
        executionArn,
        name,
        input,
        status: 'RUNNING',
        startDate: Date.now() / 1000,
      });
      return [200, { executionArn, startDate: Date.now() / 1000 }];
    }
    case 'DescribeExecution': {
      const execution = byArn(body.executionArn);
      if (!execution) return failure('ExecutionDoesNotExist', 'Execution does not exist');
      const { itemCounts: _counts, ...described } = execution;
      return [200, described];
    }
    case 'ListMapRuns': {
      const execution = byArn(body.executionArn);
      if (!execution) return failure('ExecutionDoesNotExist', 'Execution does not exist');
      const mapRunArn = `${execution.executionArn.replace(':execution:', ':mapRun:')}/ReleaseItems:1`;
      return [
        200,
        {
          mapRuns: execution.itemCounts
            ? [
                {
                  mapRunArn,
                  executionArn: execution.executionArn,
                  stateMachineArn: 'x',
                  startDate: execution.startDate,
                },
              ]
            : [],
        },
      ];
    }
    case 'DescribeMapRun': {
      const execution = [...executions.values()].find((candidate) =>
        String(body.mapRunArn).startsWith(
          candidate.executionArn.replace(':execution:', ':mapRun:'),
        ),
      );
      if (!execution?.itemCounts) return failure('ResourceNotFound', 'No such Map Run');
      return [200, { mapRunArn: body.mapRunArn, itemCounts: execution.itemCounts }];
    }
    default:
      return failure('UnknownOperationException', operation);
  }
}

export async function startSfnStub(): Promise<SfnStub> {
  const operations: string[] = [];
  const executions = new Map<string, StubExecution>();
  const server: Server = createServer((request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').replace(
      'AWSStepFunctions.',
      '',
    );
    operations.push(operation);
    readBody(request)
      .then((body) => operate(operation, body, executions))
      .then(([status, answer]) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(answer));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    operations,
    executions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
