/**
 * A local stand-in for CallFire API 1.1's NumberService (SOAP 1.2 over HTTP Basic auth), for the
 * tests and for `npm start`. It answers exactly what a `soap` client built from the function's WSDL
 * with `forceSoap12Headers: true` sends, checks requests as strictly as a real server, keeps an
 * account whose auto-renew flags `Release` turns off, and can inject faults: SOAP faults, bare HTTP
 * errors, delays, connection resets and requests that never get an answer.
 *
 * Checks run in the order a real server applies them: route, method, Basic auth (401), then
 * Content-Type/action and the envelope against the schema (BAD_REQUEST), then injected faults, then
 * the operation. A SOAP 1.1 request (`text/xml`) gets a SOAP 1.2 BAD_REQUEST fault (HTTP 400), not
 * HTTP 415: the fault names the problem ("forceSoap12Headers missing"), where a bare 415 would only
 * surface in the `soap` client as an unparseable response.
 *
 * The control API under `/_sandbox/` (no auth) lets `npm start` users and other processes inspect
 * and steer it; see {@link handleControlRequest}.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultAccount } from './callfire-default-account';
import { FaultRules } from './callfire-fault-rules';
import { handleControlRequest } from './callfire-sandbox-control-api';
import type {
  CallFireSandbox,
  Fault,
  FaultRule,
  SandboxAccount,
  SandboxCall,
} from './callfire-sandbox-types';
import {
  BadSoapRequestError,
  type CallFireRequest,
  operationOfHeaders,
  parseCallFireRequest,
} from './callfire-soap-request';
import {
  emptyAnswer,
  keywordQueryAnswer,
  numberAnswer,
  SOAP12_CONTENT_TYPE,
  type SoapAnswer,
  serviceFault,
} from './callfire-soap-responses';
import { BodyTooLargeError, readRequestBody } from './http-body';
import { type LoopbackServer, listenOnLoopback } from './loopback-server';

export type {
  CallFireSandbox,
  Fault,
  FaultCode,
  FaultRule,
  NumberStatus,
  Operation,
  SandboxAccount,
  SandboxCall,
  SandboxKeyword,
  SandboxNumber,
} from './callfire-sandbox-types';
export { defaultAccount };

/** Path of the NumberService endpoint, as on www.callfire.com. */
export const SANDBOX_SOAP_PATH = '/api/1.1/soap12/number';
/** The sandbox's API login unless `startCallFireSandbox` is given others. */
export const SANDBOX_CREDENTIALS: { readonly username: string; readonly password: string } =
  Object.freeze({ username: 'sandbox-api-login', password: 'sandbox-secret-Pa55!' });

/** QueryKeywords' page size cap, CallFire's documented MaxResults default. */
const DEFAULT_MAX_PAGE_SIZE = 1000;
/** The largest SOAP request accepted; a Release envelope is about 500 bytes. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** Options of {@link startCallFireSandbox}. */
export interface CallFireSandboxOptions {
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Initial account (deep-copied); {@link defaultAccount} when absent. */
  account?: SandboxAccount;
  /** Accepted Basic credentials; {@link SANDBOX_CREDENTIALS} when absent. */
  credentials?: { username: string; password: string };
  /** Added before every SOAP answer; default 0. */
  latencyMs?: number;
  /** Cap on QueryKeywords' page size; default 1000. */
  maxPageSize?: number;
}

/** Starts a sandbox on 127.0.0.1. Close it with `close()`. */
export async function startCallFireSandbox(
  options: CallFireSandboxOptions = {},
): Promise<CallFireSandbox> {
  const sandbox = new Sandbox(options);
  await sandbox.listen(options.port ?? 0);
  return sandbox;
}

/** What to do with a request once it has been judged. */
type Answer =
  | { kind: 'respond'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'reset' }
  | { kind: 'hang' };

interface Verdict {
  answer: Answer;
  /** From a "delay" fault, on top of `latencyMs`. */
  delayMs: number;
}

class Sandbox implements CallFireSandbox {
  readonly account: SandboxAccount;
  readonly calls: SandboxCall[] = [];
  credentials: { username: string; password: string };
  latencyMs: number;
  maxPageSize: number;

  readonly #initial: Required<Omit<CallFireSandboxOptions, 'port'>>;
  readonly #faults = new FaultRules();
  /** Pending latency/delay timers, so that close() does not wait for them. */
  readonly #timers = new Map<NodeJS.Timeout, () => void>();
  #server: LoopbackServer | undefined;
  #closed = false;

  constructor(options: CallFireSandboxOptions) {
    this.#initial = {
      account: structuredClone(options.account ?? defaultAccount()),
      credentials: { ...(options.credentials ?? SANDBOX_CREDENTIALS) },
      latencyMs: options.latencyMs ?? 0,
      maxPageSize: options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE,
    };
    this.account = structuredClone(this.#initial.account);
    this.credentials = { ...this.#initial.credentials };
    this.latencyMs = this.#initial.latencyMs;
    this.maxPageSize = this.#initial.maxPageSize;
  }

  get url(): string {
    if (this.#server === undefined) throw new Error('the sandbox is not listening');
    return `${this.#server.origin}${SANDBOX_SOAP_PATH}`;
  }

  async listen(port: number): Promise<void> {
    this.#server = await listenOnLoopback(
      (request, response) => this.#handle(request, response),
      port,
    );
  }

  injectFault(rule: FaultRule): void {
    this.#faults.add(rule);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  pendingFaults(): FaultRule[] {
    return this.#faults.pending();
  }

  reset(): void {
    // In place: tests and the control API hold references to `account` and `calls`.
    const fresh = structuredClone(this.#initial.account);
    this.account.numbers.splice(0, this.account.numbers.length, ...fresh.numbers);
    this.account.keywords.splice(0, this.account.keywords.length, ...fresh.keywords);
    this.calls.length = 0;
    this.#faults.clear();
    this.credentials = { ...this.#initial.credentials };
    this.latencyMs = this.#initial.latencyMs;
    this.maxPageSize = this.#initial.maxPageSize;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const [timer, cancel] of this.#timers) {
      clearTimeout(timer);
      cancel();
    }
    this.#timers.clear();
    await this.#server?.close();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (pathname === '/_sandbox' || pathname.startsWith('/_sandbox/')) {
      await handleControlRequest(this, request, response, pathname);
      return;
    }

    const call: SandboxCall = {
      operation:
        operationOfHeaders(
          request.headers['content-type'],
          firstHeader(request.headers.soapaction),
        ) ?? 'unknown',
      authorized: this.#isAuthorized(request.headers.authorization),
      status: 0,
      at: Date.now(),
    };
    this.calls.push(call);

    let body: string;
    try {
      body = (await readRequestBody(request, MAX_REQUEST_BYTES)).toString('utf8');
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) return; // the client went away mid-body
      const answer = html(413, 'Request Entity Too Large', 'The request body is too large.');
      answer.headers.connection = 'close';
      await this.#deliver(request, response, call, { answer, delayMs: 0 });
      return;
    }
    await this.#deliver(request, response, call, this.#judge(request, pathname, body, call));
  }

  #judge(request: IncomingMessage, pathname: string, body: string, call: SandboxCall): Verdict {
    const now = (answer: Answer): Verdict => ({ answer, delayMs: 0 });
    if (pathname !== SANDBOX_SOAP_PATH) {
      return now(html(404, 'Not Found', 'The requested URL was not found on this server.'));
    }
    if (request.method !== 'POST') {
      const answer = html(405, 'Method Not Allowed', 'The SOAP endpoint only accepts POST.');
      answer.headers.allow = 'POST';
      return now(answer);
    }
    const contentType = request.headers['content-type'];
    if (!call.authorized) {
      // Best effort, for the call log only: a 401 is decided before the body is looked at.
      try {
        recordValues(call, parseCallFireRequest(contentType, body));
      } catch {
        // Unreadable: the log keeps what the headers said.
      }
      const answer = html(401, 'Unauthorized', 'This request requires HTTP authentication.');
      answer.headers['www-authenticate'] = 'Basic realm="CallFire API"';
      return now(answer);
    }

    let parsed: CallFireRequest;
    try {
      parsed = parseCallFireRequest(contentType, body);
    } catch (error) {
      if (!(error instanceof BadSoapRequestError)) throw error;
      return now(soap(serviceFault('BAD_REQUEST', error.message)));
    }
    recordValues(call, parsed);

    const fault = this.#faults.take({
      operation: parsed.operation,
      ...(call.number === undefined ? {} : { number: call.number }),
      ...(call.keyword === undefined ? {} : { keyword: call.keyword }),
    });
    if (fault === undefined) return now(soap(this.#perform(parsed)));
    if (fault.type === 'delay') {
      // Applied now, answered later: like a slow server, the release happens even if the client
      // gives up waiting. That is the ambiguous outcome a retrying caller must cope with.
      return { answer: soap(this.#perform(parsed)), delayMs: fault.ms };
    }
    return now(faultAnswer(fault));
  }

  #perform(request: CallFireRequest): SoapAnswer {
    switch (request.operation) {
      case 'Release': {
        if (request.keyword === undefined) {
          const number = this.account.numbers.find((entry) => entry.number === request.number);
          if (number === undefined) {
            return serviceFault('NOT_FOUND', `Number ${request.number} not found in this account`);
          }
          number.autoRenew = false;
          return emptyAnswer();
        }
        // Exact spelling, as CallFire matches it: callers send the account's own spelling back.
        const keyword = this.account.keywords.find(
          (entry) => entry.shortCode === request.number && entry.keyword === request.keyword,
        );
        if (keyword === undefined) {
          return serviceFault(
            'NOT_FOUND',
            `Keyword ${request.keyword} not found on short code ${request.number}`,
          );
        }
        keyword.autoRenew = false;
        return emptyAnswer();
      }
      case 'GetNumber': {
        const number = this.account.numbers.find((entry) => entry.number === request.number);
        return number === undefined
          ? serviceFault('NOT_FOUND', `Number ${request.number} not found in this account`)
          : numberAnswer(number);
      }
      case 'QueryKeywords': {
        const first = request.firstResult ?? 0;
        const size = Math.min(request.maxResults ?? DEFAULT_MAX_PAGE_SIZE, this.maxPageSize);
        const keywords = this.account.keywords;
        return keywordQueryAnswer(keywords.length, keywords.slice(first, first + size));
      }
    }
  }

  async #deliver(
    request: IncomingMessage,
    response: ServerResponse,
    call: SandboxCall,
    { answer, delayMs }: Verdict,
  ): Promise<void> {
    const wait = this.latencyMs + delayMs;
    if (wait > 0 && !(await this.#sleep(wait))) return;
    // The client gave up while we waited: nothing to answer, status stays 0.
    if (request.socket.destroyed || response.destroyed) return;
    switch (answer.kind) {
      case 'reset':
        // A TCP RST, not a FIN: the client sees ECONNRESET, as when a load balancer drops it.
        request.socket.resetAndDestroy();
        return;
      case 'hang':
        // Left open on purpose; the client's abort or close() ends it.
        return;
      case 'respond':
        call.status = answer.status;
        response.writeHead(answer.status, {
          ...answer.headers,
          'content-length': String(Buffer.byteLength(answer.body)),
        });
        response.end(answer.body);
    }
  }

  /** Resolves true after `ms`, or false as soon as the sandbox closes. */
  #sleep(ms: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve(true);
      }, ms);
      this.#timers.set(timer, () => resolve(false));
    });
  }

  #isAuthorized(header: string | undefined): boolean {
    const given = basicCredentials(header);
    return (
      given !== undefined &&
      given.username === this.credentials.username &&
      given.password === this.credentials.password
    );
  }
}

/** The user and password of a Basic Authorization header; the password may contain colons. */
function basicCredentials(
  header: string | undefined,
): { username: string; password: string } | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function recordValues(call: SandboxCall, request: CallFireRequest): void {
  call.operation = request.operation;
  if (request.operation === 'QueryKeywords') return;
  call.number = request.number;
  if (request.operation === 'Release' && request.keyword !== undefined) {
    call.keyword = request.keyword;
  }
}

function faultAnswer(fault: Exclude<Fault, { type: 'delay' }>): Answer {
  switch (fault.type) {
    case 'fault':
      return soap(serviceFault(fault.code, fault.message));
    case 'http': {
      const body = fault.body ?? '';
      const headers: Record<string, string> = { ...fault.headers };
      const contentType =
        fault.contentType ?? (body === '' ? undefined : 'text/html; charset=utf-8');
      if (contentType !== undefined) headers['content-type'] = contentType;
      return { kind: 'respond', status: fault.status, headers, body };
    }
    case 'reset':
      return { kind: 'reset' };
    case 'hang':
      return { kind: 'hang' };
  }
}

function soap(answer: SoapAnswer): Answer & { kind: 'respond' } {
  return {
    kind: 'respond',
    status: answer.status,
    headers: { 'content-type': SOAP12_CONTENT_TYPE },
    body: answer.body,
  };
}

/** The small HTML pages a web server in front of the API answers with. */
function html(status: number, title: string, text: string): Answer & { kind: 'respond' } {
  return {
    kind: 'respond',
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<html><head><title>${status} ${title}</title></head><body><h1>${status} ${title}</h1><p>${text}</p></body></html>\n`,
  };
}
