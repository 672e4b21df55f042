/**
 * A local stand-in for CallFire API 1.1's NumberService (SOAP 1.2, HTTP Basic auth) for the tests
 * and `npm start`. It serves the operations of {@link OPERATION_TABLE} on an in-memory account,
 * checks requests as strictly as a real server, and injects faults on request.
 *
 * Checks run in the order a real server applies them: route and method, Basic auth (a 401 page,
 * before the body is looked at), Content-Type, envelope and schema (a BAD_REQUEST fault), then
 * fault rules, then the operation. A SOAP 1.1 request gets a SOAP 1.2 BAD_REQUEST fault rather
 * than a bare 415, which `soap` would only report as an unparseable answer.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_PAGE_SIZE, NUMBER_SERVICE_PATH } from '../functions/release/callfire/contract';
import { defaultAccount } from './callfire-default-account';
import { OPERATION_TABLE, REQUEST_SCHEMAS } from './callfire-operations';
import { handleControlRequest } from './callfire-sandbox-control-api';
import * as types from './callfire-sandbox-types';
import * as soap from './callfire-soap';
import { type LoopbackServer, listenOnLoopback, readRequestBody } from './loopback-server';

export type * from './callfire-sandbox-types';
export { defaultAccount };

/** Path of the NumberService endpoint, as on www.callfire.com. */

/** The sandbox's API login unless `startCallFireSandbox` is given another. */
export const SANDBOX_CREDENTIALS: { readonly username: string; readonly password: string } =
  Object.freeze({ username: 'sandbox-api-login', password: 'sandbox-secret-Pa55!' });

/**
 * Options of {@link startCallFireSandbox}, each also what `reset()` returns to: `port` (absent: a
 * free one), `account` (deep-copied; {@link defaultAccount}), `credentials` (the one Basic login
 * accepted; {@link SANDBOX_CREDENTIALS}), `latencyMs` before every SOAP answer (0), `maxPageSize`
 * capping QueryKeywords' pages (1000), `ignoreFirstResult` (QueryKeywords then answers the first
 * page whatever FirstResult says, as a misbehaving server would).
 */
export interface CallFireSandboxOptions {
  port?: number;
  account?: types.SandboxAccount;
  credentials?: { username: string; password: string };
  latencyMs?: number;
  maxPageSize?: number;
  ignoreFirstResult?: boolean;
}

/** Starts a sandbox on 127.0.0.1. Close it with `close()`. */
export async function startCallFireSandbox(options: CallFireSandboxOptions = {}) {
  const sandbox = new CallFireSandbox(options);
  await sandbox.listen(options.port);
  return sandbox;
}

const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="CallFire API"' };

/** What to do once a request has been judged; `delayMs` comes on top of `latencyMs`. */
type Answer = (soap.HttpAnswer & { delayMs?: number }) | 'reset' | 'hang';

/** A running sandbox. Its fields are live: assign them to steer it. */
class CallFireSandbox {
  /** Live; `Release` mutates it and `reset()` restores it in place, so references stay valid. */
  readonly account: types.SandboxAccount = { numbers: [], keywords: [] };
  /** Every request to the SOAP endpoint, in arrival order (control requests excluded). */
  readonly calls: types.SandboxCall[] = [];
  // The settings of CallFireSandboxOptions, set by reset().
  /** The only Basic credentials accepted; assign to rotate the password. */
  credentials!: { username: string; password: string };
  latencyMs!: number;
  maxPageSize!: number;
  ignoreFirstResult!: boolean;

  readonly #initial: Required<Omit<CallFireSandboxOptions, 'port'>>;
  readonly #faults: Array<types.FaultRule & { times: number }> = [];
  /** Positions in `account.numbers` by number; rebuilt on a miss, as tests may edit the account. */
  #positions = new Map<string, number>();
  #server: LoopbackServer | undefined;

  constructor({
    account = defaultAccount(),
    credentials = SANDBOX_CREDENTIALS,
    ...rest
  }: CallFireSandboxOptions) {
    const { latencyMs = 0, maxPageSize = MAX_PAGE_SIZE, ignoreFirstResult = false } = rest;
    this.#initial = { account, credentials, latencyMs, maxPageSize, ignoreFirstResult };
    this.reset();
  }

  /** The SOAP endpoint, `http://127.0.0.1:<port>/api/1.1/soap12/number`. */
  get url(): string {
    return `${this.#server?.origin}${NUMBER_SERVICE_PATH}`;
  }

  async listen(port?: number): Promise<void> {
    this.#server = await listenOnLoopback(this.#handle.bind(this), port);
  }

  /** Queues a fault rule (the first matching one wins). @throws {z.ZodError} naming the field */
  injectFault(rule: types.FaultRule): void {
    this.#faults.push(types.FAULT_RULE.parse(rule));
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** The queued rules, with the `times` they have left. */
  pendingFaults(): types.FaultRule[] {
    return structuredClone(this.#faults);
  }

  /** Back to the start-up account and settings; clears calls and faults. */
  reset(): void {
    const { account, ...settings } = structuredClone(this.#initial);
    this.account.numbers.splice(0, Infinity, ...account.numbers);
    this.account.keywords.splice(0, Infinity, ...account.keywords);
    Object.assign(this, settings);
    this.calls.length = this.#faults.length = 0;
  }

  /** Stops the server, destroying keep-alive and hanging connections. */
  async close(): Promise<void> {
    await this.#server?.close();
  }

  findNumber(number: string): types.SandboxNumber | undefined {
    const { numbers } = this.account;
    const found = numbers[this.#positions.get(number) ?? -1];
    if (found?.number === number) return found;
    this.#positions = new Map(numbers.map((entry, position) => [entry.number, position]));
    return numbers[this.#positions.get(number) ?? -1];
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path.startsWith('/_sandbox')) return handleControlRequest(this, request, response, path);
    const operation = soap.operationOfHeaders(request.headers) ?? 'unknown';
    const authorized = this.#isAuthorized(request.headers.authorization);
    const call: types.SandboxCall = { operation, authorized, status: 0, at: Date.now() };
    this.calls.push(call);
    const body = await readRequestBody(request, 1024 * 1024);
    if (body === undefined) return void request.socket.destroy(); // too large, or client gone
    const answer = this.#answer(request, path, body, call);
    const delayMs = typeof answer === 'object' ? (answer.delayMs ?? 0) : 0;
    // Nothing to answer once the sandbox closed or the client gave up: the status stays 0.
    if (!(await this.#server?.wait(this.latencyMs + delayMs)) || response.destroyed) return;
    if (answer === 'reset') request.socket.resetAndDestroy();
    if (typeof answer !== 'object') return; // a hang stays open until the client or close() ends it
    call.status = answer.status;
    const length = Buffer.byteLength(answer.body);
    response.writeHead(answer.status, { ...answer.headers, 'content-length': length });
    response.end(answer.body);
  }

  #answer(request: IncomingMessage, path: string, body: string, call: types.SandboxCall): Answer {
    if (path !== NUMBER_SERVICE_PATH) return soap.htmlPage(404, 'Not Found');
    const allow = { allow: 'POST' };
    if (request.method !== 'POST') return soap.htmlPage(405, 'Method Not Allowed', allow);
    let parsed: soap.SoapRequest | undefined;
    try {
      parsed = soap.readSoapRequest(request.headers, body, REQUEST_SCHEMAS);
      call.operation = parsed.operation;
      if (parsed.values.Number) call.number = parsed.values.Number;
      if (parsed.values.Keyword) call.keyword = parsed.values.Keyword;
    } catch (error) {
      if (!(error instanceof soap.BadSoapRequestError)) throw error;
      if (call.authorized) return soap.serviceFault('BAD_REQUEST', error.message);
    }
    // Decided before the body is looked at: reading it above only filled in the call log.
    if (!call.authorized || parsed === undefined) {
      return soap.htmlPage(401, 'Unauthorized', BASIC_CHALLENGE);
    }
    const fault = this.#takeFault(call);
    return fault === undefined ? this.#perform(parsed) : this.#faulty(parsed, fault);
  }

  /** The fault of the first rule matching `call`, using up one of the rule's `times`. */
  #takeFault({ operation, number, keyword }: types.SandboxCall): types.Fault | undefined {
    const rules = this.#faults;
    const matches = (target?: string) =>
      target === undefined || target === number || target.toLowerCase() === keyword?.toLowerCase();
    const index = rules.findIndex(
      ({ operation: only = operation, target }) => only === operation && matches(target),
    );
    const rule = rules[index];
    if (rule === undefined) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) rules.splice(index, 1);
    return rule.fault;
  }

  #perform({ operation, values }: soap.SoapRequest): soap.HttpAnswer {
    return OPERATION_TABLE[operation].perform(values as Record<string, string>, this);
  }

  #faulty(request: soap.SoapRequest, fault: types.Fault): Answer {
    switch (fault.type) {
      case 'fault':
        return soap.serviceFault(fault.code, fault.message);
      case 'http': {
        const { status, body = '', headers } = fault;
        const type = fault.contentType ?? (body === '' ? undefined : 'text/html; charset=utf-8');
        return { status, body, headers: { ...(type && { 'content-type': type }), ...headers } };
      }
      // Applied on arrival and answered late, if at all: the ambiguous outcome retries must face.
      case 'delay':
        return { ...this.#perform(request), delayMs: fault.ms };
      case 'reset':
        if (fault.afterApplying) this.#perform(request);
        return 'reset';
      case 'hang':
        return 'hang';
    }
  }

  #isAuthorized(header: string | undefined): boolean {
    const token = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header ?? '')?.[1];
    const { username, password } = this.credentials;
    return Buffer.from(token ?? '', 'base64').toString() === `${username}:${password}`;
  }
}

export type { CallFireSandbox };
