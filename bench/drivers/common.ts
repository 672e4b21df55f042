/**
 * What the drivers share. Bundled into each driver by esbuild (bench/lib/drivers.ts), so a driver
 * runs as one plain `node` file and loads nothing at run time but the bundle it measures.
 */

import http from 'node:http';
import { createRequire } from 'node:module';
import type { Context } from 'aws-lambda';
import {
  NAMESPACES,
  SOAP12_MEDIA_TYPE,
  soapActionOf,
} from '../../functions/release/callfire/contract';
import { AGENT_OPTIONS } from '../../functions/release/callfire/soap-transport';
import { BULK_NUMBER_COUNT, BULK_NUMBER_FIRST } from '../../local/callfire-default-account';
import { lambdaContext } from '../../local/lambda-context';

/** The handler's signature as the drivers call it. */
export type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** A context for one invocation of the bench's function, as deployed (serverless.yml: 512 MB, 300 s). */
export function benchContext(timeoutMs = 300_000): Context {
  return lambdaContext({ functionName: 'callfire-release-bench', memoryLimitInMB: 512, timeoutMs });
}

/** `handler` of the bundle at BENCH_BUNDLE, loaded with the current environment. */
export function loadHandler(): Handler {
  const bundle = process.env.BENCH_BUNDLE;
  if (!bundle) throw new Error('BENCH_BUNDLE is not set');
  return (createRequire(import.meta.url)(bundle) as { handler: Handler }).handler;
}

/** `count` numbers of the sandbox's bulk block, from `offset` (also used by the figures). */
export function bulkNumbers(count: number, offset = 0): string[] {
  if (offset + count > BULK_NUMBER_COUNT) {
    throw new Error(`the sandbox's bulk block has ${BULK_NUMBER_COUNT} numbers`);
  }
  return Array.from({ length: count }, (_, index) => String(BULK_NUMBER_FIRST + offset + index));
}

/** Writes one result line for the parent (which ignores every other line, e.g. log lines). */
export function report(value: unknown): void {
  process.stdout.write(`BENCH:${JSON.stringify(value)}\n`);
}

/** Fails the run loudly unless a direct invocation released every item. */
export function expectReleased(result: unknown, count: number): void {
  const summary = (result as { summary?: { released?: number } } | undefined)?.summary;
  if (summary?.released !== count) {
    throw new Error(`expected ${count} released, got ${JSON.stringify(summary)}`);
  }
}

/** Sets the sandbox's answer latency through its control API (BENCH_SANDBOX_CONTROL). */
export function setSandboxLatency(ms: number): Promise<void> {
  const url = new URL('latency', process.env.BENCH_SANDBOX_CONTROL);
  const body = JSON.stringify({ ms });
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 200
            ? resolve()
            : reject(new Error(`PUT latency: HTTP ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Runs `work(index)` for `count` indexes with at most `limit` in flight. */
export async function withConcurrency(
  count: number,
  limit: number,
  work: (index: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Runs `main`, reporting a failure on stderr with a non-zero exit. */
export function run(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}

/**
 * The modes of the per-release CPU driver (warm-cpu.ts), in their first round's order: the bundle's
 * warm handler, the raw POST floor ({@link createRawRelease}), and `soap` alone (context).
 */
export const CPU_MODES = ['handler', 'raw', 'soap'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

/** The keep-alive agent options of the function's transport, as it has them. */
export { AGENT_OPTIONS };

/** The Authorization header for BENCH_USERNAME / BENCH_PASSWORD (the sandbox's login). */
export function basicAuthorization(): string {
  const { BENCH_USERNAME, BENCH_PASSWORD } = process.env;
  return `Basic ${Buffer.from(`${BENCH_USERNAME}:${BENCH_PASSWORD}`).toString('base64')}`;
}

/** The envelope `soap` sends for Release, byte for byte (from client.lastRequest). */
function releaseEnvelope(number: string): string {
  const { soap12Envelope, xsi, wsdl, service, data } = NAMESPACES;
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${soap12Envelope}" xmlns:xsi="${xsi}"  xmlns:tns="${wsdl}" xmlns:svc="${service}" xmlns:data="${data}"><soap:Body><svc:Release xmlns:svc="${service}" xmlns="${service}"><svc:Number>${number}</svc:Number></svc:Release></soap:Body></soap:Envelope>`;
}

/**
 * The floor: Release as a raw node:http POST of the hand-built envelope to CALLFIRE_SOAP_ENDPOINT
 * over a keep-alive agent, the response read to the end and checked (200, no Fault). One retry, as
 * a keep-alive socket the server has just closed can reset.
 */
export function createRawRelease(): (number: string) => Promise<void> {
  const endpoint = new URL(process.env.CALLFIRE_SOAP_ENDPOINT ?? '');
  const contentType = `${SOAP12_MEDIA_TYPE}; charset=utf-8; action="${soapActionOf('Release')}"`;
  const authorization = basicAuthorization();
  const agent = new http.Agent(AGENT_OPTIONS);
  const post = (number: string) =>
    new Promise<void>((resolve, reject) => {
      const body = releaseEnvelope(number);
      const request = http.request(
        {
          host: endpoint.hostname,
          port: endpoint.port,
          path: endpoint.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': contentType,
            'content-length': Buffer.byteLength(body),
            authorization,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (response.statusCode !== 200 || text.includes('Fault>')) {
              reject(new Error(`raw Release ${number}: HTTP ${response.statusCode}`));
            } else resolve();
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return (number) => post(number).catch(() => post(number));
}
