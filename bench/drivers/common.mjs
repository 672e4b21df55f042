// Shared by the warm drivers (per-release CPU, bulk throughput, memory). Builtins only; run by plain
// `node`. The cold-start driver does not use it: an import would be part of what it measures.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A Lambda context whose clock runs (as test/helpers/lambda-context.ts). */
export function lambdaContext(timeoutMs = 900_000) {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'callfire-release-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:callfire-release-bench',
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/callfire-release-bench',
    logStreamName: '2026/11/29/[$LATEST]bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** `handler` of the bundle at BENCH_BUNDLE, loaded with the current environment. */
export function loadHandler() {
  const bundle = process.env.BENCH_BUNDLE;
  if (!bundle) throw new Error('BENCH_BUNDLE is not set');
  return require(bundle).handler;
}

/** `count` numbers of the sandbox's bulk block 13125550000-13125550199, from `offset`. */
export function bulkNumbers(count = 100, offset = 0) {
  return Array.from({ length: count }, (_, index) => String(13125550000 + offset + index));
}

/** Writes one result line for the parent (which ignores every other line, e.g. log lines). */
export function report(value) {
  process.stdout.write(`BENCH:${JSON.stringify(value)}\n`);
}

/** Fails the run loudly unless a direct invocation released every item. */
export function expectReleased(result, count) {
  const released = result?.summary?.released;
  if (released !== count) {
    throw new Error(`expected ${count} released, got ${JSON.stringify(result?.summary)}`);
  }
}

/** Sets the sandbox's answer latency through its control API (BENCH_SANDBOX_CONTROL). */
export function setSandboxLatency(ms) {
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
export async function withConcurrency(count, limit, work) {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Runs `main`, reporting a failure on stderr with a non-zero exit. */
export function run(main) {
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}

export const AGENT_OPTIONS = { keepAlive: true, maxSockets: 64, keepAliveMsecs: 1_000 };
const ACTION = 'http://api.callfire.com/service/wsdl/NumberServicePortType/Release';
const CONTENT_TYPE = `application/soap+xml; charset=utf-8; action="${ACTION}"`;

/** The Authorization header for BENCH_USERNAME / BENCH_PASSWORD (the sandbox's login). */
export function basicAuthorization() {
  const { BENCH_USERNAME, BENCH_PASSWORD } = process.env;
  return `Basic ${Buffer.from(`${BENCH_USERNAME}:${BENCH_PASSWORD}`).toString('base64')}`;
}

/** The envelope the soap client sends for Release, byte for byte (from client.lastRequest). */
export const releaseEnvelope = (number) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"  xmlns:tns="http://api.callfire.com/service/wsdl" xmlns:svc="http://api.callfire.com/service/xsd" xmlns:data="http://api.callfire.com/data"><soap:Body><svc:Release xmlns:svc="http://api.callfire.com/service/xsd" xmlns="http://api.callfire.com/service/xsd"><svc:Number>${number}</svc:Number></svc:Release></soap:Body></soap:Envelope>`;

/**
 * The floor: Release as a raw node:http POST of the hand-built envelope to CALLFIRE_SOAP_ENDPOINT
 * over a keep-alive agent, the response read to the end and checked (200, no Fault). One retry, as
 * a keep-alive socket the server has just closed can reset.
 */
export function createRawRelease() {
  const endpoint = new URL(process.env.CALLFIRE_SOAP_ENDPOINT);
  const authorization = basicAuthorization();
  const agent = new http.Agent(AGENT_OPTIONS);
  const post = (number) =>
    new Promise((resolve, reject) => {
      const body = releaseEnvelope(number);
      const request = http.request(
        {
          host: endpoint.hostname,
          port: endpoint.port,
          path: endpoint.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': CONTENT_TYPE,
            'content-length': Buffer.byteLength(body),
            authorization,
          },
        },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
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
