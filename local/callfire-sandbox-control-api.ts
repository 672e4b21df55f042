/**
 * The sandbox's control API: JSON under `/_sandbox/` on the sandbox's own port, without auth, so
 * that `npm start` users (curl) and benchmarks running the sandbox in another process can see and
 * steer it. Each route checks its body with a schema; a bad one gets a 400 naming the field.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { CallFireSandbox } from './callfire-sandbox';
import { FAULT_RULE } from './callfire-sandbox-types';
import { readRequestBody, sendJson } from './loopback-server';

const NONE = z.unknown();
/** The settings PUT routes change, with the sandbox fields they set. */
const LATENCY = z
  .strictObject({ ms: z.int().min(0).max(600_000) })
  .transform(({ ms }) => ({ latencyMs: ms }));
const CREDENTIALS = z
  .strictObject({ username: z.string().min(1), password: z.string().min(1) })
  .transform((credentials) => ({ credentials }));
const PAGING = z.strictObject({
  maxPageSize: z.int().min(1).optional(),
  ignoreFirstResult: z.boolean().optional(),
});

type Action = (sandbox: CallFireSandbox, body: never) => unknown;
const assign = (sandbox: CallFireSandbox, settings: object) =>
  Object.assign(sandbox, settings) && settings;

/** `METHOD path` to its body schema and action; the action's result is the 200 answer. */
const ROUTES: Record<string, [z.ZodType, Action]> = {
  'GET /_sandbox/calls': [NONE, (sandbox) => sandbox.calls],
  'GET /_sandbox/account': [NONE, (sandbox) => sandbox.account],
  // JSON has no Infinity: such a rule's `times` goes out as "Infinity", the form POST takes.
  'GET /_sandbox/faults': [
    NONE,
    (sandbox) =>
      sandbox
        .pendingFaults()
        .map((rule) => (rule.times === Infinity ? { ...rule, times: 'Infinity' } : rule)),
  ],
  'POST /_sandbox/faults': [FAULT_RULE, (sandbox, rule) => sandbox.injectFault(rule)],
  'DELETE /_sandbox/faults': [NONE, (sandbox) => sandbox.clearFaults()],
  'POST /_sandbox/reset': [NONE, (sandbox) => sandbox.reset()],
  'PUT /_sandbox/latency': [LATENCY, assign],
  'PUT /_sandbox/credentials': [CREDENTIALS, assign],
  'PUT /_sandbox/paging': [PAGING, assign],
};

/** Answers one control request (`pathname` starts with `/_sandbox`). */
export async function handleControlRequest(
  sandbox: CallFireSandbox,
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
): Promise<void> {
  const route = ROUTES[`${request.method} ${pathname}`];
  const raw = await readRequestBody(request, 64 * 1024);
  if (raw === undefined) return void request.socket.destroy();
  if (route === undefined) {
    const routes = Object.keys(ROUTES);
    return sendJson(response, 404, { error: `no route ${request.method} ${pathname}`, routes });
  }
  let body: unknown;
  try {
    body = route[0].parse(raw.trim() === '' ? undefined : JSON.parse(raw));
  } catch (error) {
    const issues = error instanceof z.ZodError ? error.issues : [{ path: [], message: `${error}` }];
    const reasons = issues.map(({ path, message }) => `${path.join('.') || 'body'}: ${message}`);
    return sendJson(response, 400, { error: reasons.join('; ') });
  }
  sendJson(response, 200, route[1](sandbox, body as never) ?? { ok: true });
}
