/**
 * Cold start child (figure 1): loads the bundle and answers one HTTP API (payload 2.0) release, like
 * a fresh Lambda container serving its first request.
 *
 * env: BENCH_BUNDLE (absolute path of handler.js; absent: the "driver alone" floor, which answers
 *      at once), BENCH_EVENT (the event, JSON), and the function's own variables
 *      (CALLFIRE_SOAP_ENDPOINT, AWS_ENDPOINT_URL_SECRETS_MANAGER, ...).
 *
 * Prints `BENCH:{"phase":"answer",...}` the moment the answer is there (the parent stops its clock
 * on that line), then invokes once more (warm) and prints `BENCH:{"phase":"warm",...}`, then exits.
 *
 * Marks are performance.now(): milliseconds since this process's time origin (process start).
 *   start             first line of this script
 *   requireStart/End  require() of the bundle (module load; the bundle starts the soap client here)
 *   clientReady       after one setImmediate: the soap client is built in process.nextTick
 *                     callbacks and promise jobs (no I/O for an inline WSDL), so by then it is done
 *   invoke            handler called
 *   smStart/smEnd     first Secrets Manager request (GetSecretValue) written / its response ended
 *   soapStart         first CallFire (sandbox) request written
 *   answer            handler resolved
 */

import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { benchContext, loadHandler, report } from './common';

const start = performance.now();

if (!process.env.BENCH_BUNDLE) {
  report({ phase: 'answer', marks: { start } });
  process.exit(0);
}

const marks: Record<string, number> = { start };
const hostOf = (url: string | undefined) => (url ? new URL(url).host : undefined);
const soapHost = hostOf(process.env.CALLFIRE_SOAP_ENDPOINT);
const secretsHost = hostOf(process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER);
diagnostics.subscribe('http.client.request.start', (message) => {
  const host = (message as { request: ClientRequest }).request.getHeader('host');
  if (host === secretsHost) marks.smStart ??= performance.now();
  if (host === soapHost) marks.soapStart ??= performance.now();
});
diagnostics.subscribe('http.client.response.finish', (message) => {
  const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
  if (request.getHeader('host') === secretsHost && marks.smEnd === undefined) {
    response.once('end', () => {
      marks.smEnd ??= performance.now();
    });
  }
});

const summaryOf = (answer: unknown) => {
  const { statusCode, body } = (answer ?? {}) as { statusCode?: number; body?: string };
  try {
    return { status: statusCode, summary: JSON.parse(body ?? '').summary };
  } catch {
    return { status: statusCode, summary: undefined };
  }
};

const event: unknown = JSON.parse(process.env.BENCH_EVENT ?? '{}');

marks.requireStart = performance.now();
const handler = loadHandler();
marks.requireEnd = performance.now();
await new Promise((resolve) => setImmediate(resolve));
marks.clientReady = performance.now();

marks.invoke = performance.now();
const answer = await handler(structuredClone(event), benchContext(60_000));
marks.answer = performance.now();
report({ phase: 'answer', marks, ...summaryOf(answer) });

const warmStart = performance.now();
const second = await handler(structuredClone(event), benchContext(60_000));
report({ phase: 'warm', warmMs: performance.now() - warmStart, ...summaryOf(second) });
process.exit(0);
