/**
 * The sandbox's control API, served under `/_sandbox/` on the sandbox's own port without auth, so
 * that `npm start` users (with curl) and benchmarks running the sandbox in another process can see
 * and steer it:
 *
 * | request | effect |
 * |---|---|
 * | `GET /_sandbox/calls` | the call log (JSON array of SandboxCall) |
 * | `GET /_sandbox/account` | the live account |
 * | `GET /_sandbox/faults` | queued fault rules (`times` left; `"Infinity"` for always) |
 * | `POST /_sandbox/faults` | queue a FaultRule (JSON; `times` optional, may be `"Infinity"`) |
 * | `DELETE /_sandbox/faults` | drop every queued rule |
 * | `POST /_sandbox/reset` | `reset()` |
 * | `PUT /_sandbox/latency` | `{ "ms": 50 }` |
 * | `PUT /_sandbox/credentials` | `{ "username": "...", "password": "..." }` (rotate the password) |
 * | `PUT /_sandbox/max-page-size` | `{ "size": 2 }` |
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidFaultRuleError, parseFaultRule } from './callfire-fault-rules';
import type { CallFireSandbox } from './callfire-sandbox-types';
import { BodyTooLargeError, readRequestBody, sendJson } from './http-body';

const MAX_CONTROL_BODY_BYTES = 64 * 1024;

type Route = (sandbox: CallFireSandbox, body: unknown) => { status: number; value: unknown };

const ROUTES: Record<string, Partial<Record<string, Route>>> = {
  '/_sandbox/calls': { GET: (sandbox) => ok(sandbox.calls) },
  '/_sandbox/account': { GET: (sandbox) => ok(sandbox.account) },
  '/_sandbox/faults': {
    GET: (sandbox) => ok(sandbox.pendingFaults()),
    POST: (sandbox, body) => {
      sandbox.injectFault(parseFaultRule(body));
      return { status: 201, value: { faults: sandbox.pendingFaults() } };
    },
    DELETE: (sandbox) => {
      sandbox.clearFaults();
      return ok({ faults: [] });
    },
  },
  '/_sandbox/reset': {
    POST: (sandbox) => {
      sandbox.reset();
      return ok({ reset: true });
    },
  },
  '/_sandbox/latency': {
    PUT: (sandbox, body) => {
      const ms = field(body, 'ms');
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 600_000) {
        throw new BadControlRequest('expected {"ms": <number from 0 to 600000>}');
      }
      sandbox.latencyMs = ms;
      return ok({ latencyMs: ms });
    },
  },
  '/_sandbox/credentials': {
    PUT: (sandbox, body) => {
      const username = field(body, 'username');
      const password = field(body, 'password');
      if (typeof username !== 'string' || typeof password !== 'string' || username === '') {
        throw new BadControlRequest('expected {"username": "<non-empty>", "password": "<string>"}');
      }
      sandbox.credentials = { username, password };
      return ok({ username });
    },
  },
  '/_sandbox/max-page-size': {
    PUT: (sandbox, body) => {
      const size = field(body, 'size');
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
        throw new BadControlRequest('expected {"size": <positive integer>}');
      }
      sandbox.maxPageSize = size;
      return ok({ maxPageSize: size });
    },
  },
};

class BadControlRequest extends Error {}

/** Answers one control API request (`pathname` starts with `/_sandbox`). */
export async function handleControlRequest(
  sandbox: CallFireSandbox,
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
): Promise<void> {
  const methods = ROUTES[pathname];
  if (methods === undefined) {
    sendJson(response, 404, { error: `no control route ${pathname}`, routes: routeList() });
    return;
  }
  const method = request.method ?? 'GET';
  const route = methods[method];
  if (route === undefined) {
    sendJson(
      response,
      405,
      { error: `${method} is not supported on ${pathname}` },
      { allow: Object.keys(methods).join(', ') },
    );
    return;
  }

  let raw: string;
  try {
    raw = (await readRequestBody(request, MAX_CONTROL_BODY_BYTES)).toString('utf8');
  } catch (error) {
    if (error instanceof BodyTooLargeError) sendJson(response, 413, { error: error.message });
    return; // otherwise the client went away
  }
  let body: unknown;
  try {
    if (raw.trim() !== '') body = JSON.parse(raw);
  } catch (error) {
    sendJson(response, 400, { error: `body is not valid JSON: ${messageOf(error)}` });
    return;
  }

  try {
    const { status, value } = route(sandbox, body);
    sendJson(response, status, jsonSafe(value));
  } catch (error) {
    if (error instanceof BadControlRequest || error instanceof InvalidFaultRuleError) {
      sendJson(response, 400, { error: error.message });
      return;
    }
    throw error;
  }
}

function ok(value: unknown): { status: number; value: unknown } {
  return { status: 200, value };
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

/** JSON has no Infinity: `times: Infinity` is written as the string the POST route accepts back. */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) =>
      item === Number.POSITIVE_INFINITY ? 'Infinity' : item,
    ),
  );
}

function routeList(): string[] {
  return Object.entries(ROUTES).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method} ${path}`),
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
