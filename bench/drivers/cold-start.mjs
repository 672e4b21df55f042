// Cold start child (figure 1), run by plain `node` (no tsx, no loader): loads the bundle and answers
// one HTTP API (payload 2.0) release, like a fresh Lambda container serving its first request.
//
// Self-contained on purpose (builtins only): every import would be part of the measured start.
//
// env: BENCH_BUNDLE (absolute path of handler.js; absent: the "driver floor", which answers at
//      once), BENCH_EVENT (the event, JSON), and the function's own variables
//      (CALLFIRE_SOAP_ENDPOINT, AWS_ENDPOINT_URL_SECRETS_MANAGER, ...).
//
// Prints `BENCH:{"phase":"answer",...}` the moment the answer is there (the parent stops its clock
// on that line), then invokes once more (warm) and prints `BENCH:{"phase":"warm",...}`, then exits.
//
// Marks are performance.now(): milliseconds since this process's time origin (process start).
//   start          first line of this script
//   requireStart/End  require() of the bundle (module load; the bundle starts the soap client here)
//   clientReady    after one setImmediate: the soap client is built in process.nextTick callbacks
//                  and promise jobs (no I/O for an inline WSDL), so by then it is done
//   invoke         handler called
//   smStart/smEnd  first Secrets Manager request (GetSecretValue) written / its response ended
//   soapStart      first CallFire (sandbox) request written
//   answer         handler resolved
import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { createRequire } from 'node:module';

const start = performance.now();
const bundle = process.env.BENCH_BUNDLE;

if (!bundle) {
  process.stdout.write(`BENCH:${JSON.stringify({ phase: 'answer', marks: { start } })}\n`);
  process.exit(0);
}

// performance.now() → CLOCK_MONOTONIC µs (the clock of --cpu-prof timestamps), for profile windows.
const hrOffsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
const marks = { start };
const hostOf = (url) => (url ? new URL(url).host : undefined);
const soapHost = hostOf(process.env.CALLFIRE_SOAP_ENDPOINT);
const secretsHost = hostOf(process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER);
const requests = [];
diagnostics.subscribe('http.client.request.start', ({ request }) => {
  const host = request.getHeader('host');
  const kind = host === soapHost ? 'soap' : host === secretsHost ? 'secrets' : String(host);
  requests.push({ kind, start: performance.now() });
  if (kind === 'secrets' && marks.smStart === undefined) marks.smStart = performance.now();
  if (kind === 'soap' && marks.soapStart === undefined) marks.soapStart = performance.now();
});
diagnostics.subscribe('http.client.response.finish', ({ request, response }) => {
  if (request.getHeader('host') === secretsHost && marks.smEnd === undefined) {
    response.once('end', () => {
      marks.smEnd ??= performance.now();
    });
  }
});

const context = () => {
  const deadline = Date.now() + 60_000;
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
};
const summaryOf = (answer) => {
  try {
    return { status: answer.statusCode, summary: JSON.parse(answer.body).summary };
  } catch {
    return { status: answer?.statusCode, summary: undefined };
  }
};

const event = JSON.parse(process.env.BENCH_EVENT ?? '{}');
const require = createRequire(import.meta.url);

marks.requireStart = performance.now();
const { handler } = require(bundle);
marks.requireEnd = performance.now();
await new Promise((resolve) => setImmediate(resolve));
marks.clientReady = performance.now();

marks.invoke = performance.now();
const answer = await handler(structuredClone(event), context());
marks.answer = performance.now();
process.stdout.write(
  `BENCH:${JSON.stringify({ phase: 'answer', marks, hrOffsetUs, ...summaryOf(answer), requests })}\n`,
);

const warmStart = performance.now();
const second = await handler(structuredClone(event), context());
const warmMs = performance.now() - warmStart;
process.stdout.write(`BENCH:${JSON.stringify({ phase: 'warm', warmMs, ...summaryOf(second) })}\n`);
process.exit(0);
