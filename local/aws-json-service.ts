/**
 * What the local AWS endpoints speaking JSON 1.1 share (Secrets Manager, SSM): checks before an
 * operation runs, the request log, denials, injected failures, versioned string resources and
 * AWS's error shape (`{"__type", "message"}` plus `x-amzn-errortype`). The checks and the answer
 * format also serve the Step Functions endpoint (JSON 1.0, local/step-functions.ts). A request must carry a SigV4
 * Authorization header, proof it went through the SDK's signer; the signature is NOT verified: the
 * credentials are dummies, and recomputing SigV4 would test the SDK's signer against a copy of it.
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseContentType } from 'content-type';
import { LOCAL_ACCOUNT_ID } from './lambda-context';
import type { LoopbackServer } from './loopback-server';
import { listenOnLoopback, readRequestBody, sendJson } from './loopback-server';

/** Region and account of every ARN the stand-ins make up. */
export const LOCAL_AWS_REGION = 'us-east-1';

const JSON_1_1 = 'application/x-amz-json-1.1';
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=[^,]+, ?SignedHeaders=[^,]+, ?Signature=\w+$/;
/** What a proxy in front of a service may answer instead of it. */
const ERROR_PAGE = '<html><body><h1>Service Error</h1><p>Please try again.</p></body></html>\n';

/**
 * A failure for the next signed, well-formed requests: `'ThrottlingException'` (400 JSON, which
 * the SDK retries), the service's internal error (500 JSON), `'ServiceUnavailable'` (a bare 503,
 * as a load balancer sends it), `'hang'` (never answered until `close()`), `'html'` or
 * `{ html: 200 }` (an HTML page, 502 or as given, which no SDK can parse), or `{ delayMs }`
 * (answered normally, that much later).
 */
export type AwsFailure<InternalError extends string> =
  | 'ThrottlingException'
  | InternalError
  | 'ServiceUnavailable'
  | 'hang'
  | 'html'
  | { html: 200 | 502 }
  | { delayMs: number };

/** An answer: JSON, or raw text such as an HTML page. */
export type AwsReply = { status: number } & ({ json: object } | { text: string; html?: true });

/** A stored value; a resource keeps all of its, newest first. `createdAt` is epoch seconds. */
export type StoredVersion = { value: string; versionId: string; createdAt: number };

/** An error as AWS's JSON protocols send it. */
export function awsError(code: string, message: string, status = 400): AwsReply {
  return { status, json: { __type: code, message } };
}

/** A JSON 1.1 service on 127.0.0.1 over versioned string resources (secrets, parameters). */
export abstract class AwsJsonService<InternalError extends string, LogKey extends string> {
  /** Every request, refused or not, in order (SDK retries show), with the resource it names. */
  readonly requests: Array<{ target: string; at: number } & { [key in LogKey]?: string }> = [];
  readonly #stored = new Map<string, StoredVersion[]>();
  readonly #denied = new Set<string>();
  readonly #failures: AwsFailure<InternalError>[] = [];
  #server: LoopbackServer | undefined;

  /**
   * `initial`: the resources at start-up and after `reset()`, name to value. The service serves
   * one operation: `target` as `x-amz-target` names it, its IAM `action`, reading the resource the
   * body member `idMember` names (logged as `logAs`); `internalError` is the `__type` of its 500.
   */
  constructor(
    private readonly initial: Record<string, string>,
    private readonly spec: {
      target: string;
      action: string;
      idMember: string;
      logAs: LogKey;
      internalError: InternalError;
    },
  ) {
    this.reset();
  }

  /** The resource's name, given its id as a request names it: here the id itself. */
  protected nameOf(id: string): string {
    return id;
  }
  /** The resource's ARN, for AccessDeniedException. */
  protected abstract arnOf(name: string): string;
  /** The answer for a resource the caller may read, whose versions (newest first) these are. */
  protected abstract read(name: string, versions: StoredVersion[], body: object): AwsReply;

  /** Stores a new version of a resource. */
  protected put(name: string, value: string): void {
    const version = { value, versionId: randomUUID(), createdAt: Date.now() / 1000 };
    this.#stored.set(name, [version, ...(this.#stored.get(name) ?? [])]);
  }

  /** Forgets a resource (by name or ARN) with all its versions. */
  protected remove(id: string): void {
    this.#stored.delete(this.nameOf(id));
  }

  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_<SERVICE>`. */
  get endpoint(): string {
    return `${this.#server?.origin}`;
  }

  /** Starts listening on 127.0.0.1 (port 0 or absent: a free one). */
  async listen(port?: number): Promise<this> {
    this.#server = await listenOnLoopback(this.#handle.bind(this), port);
    return this;
  }

  /** Reads of this resource (by name or ARN) answer AccessDeniedException. */
  denyAccess(id: string): void {
    this.#denied.add(this.nameOf(id));
  }

  /** The next `times` signed requests fail this way, whatever they ask. */
  failNext(failure: AwsFailure<InternalError>, times = 1): void {
    if (!(times >= 1)) throw new TypeError('times must be at least 1');
    for (let count = 0; count < times; count += 1) this.#failures.push(failure);
  }

  /** Back to the start-up resources; clears the request log, denials and queued failures. */
  reset(): void {
    this.requests.length = this.#failures.length = 0;
    this.#denied.clear();
    this.#stored.clear();
    for (const [name, value] of Object.entries(this.initial)) this.put(name, value);
  }

  /** Stops the server, destroying open connections (hanging ones too). */
  async close(): Promise<void> {
    await this.#server?.close();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const entry = { target, at: Date.now() } as (typeof this.requests)[number];
    this.requests.push(entry);
    const raw = await readRequestBody(request, 64 * 1024);
    if (raw === undefined) return void request.socket.destroy(); // too large, or client gone
    const body = jsonObject(raw);
    const id = body?.[this.spec.idMember];
    if (typeof id === 'string') Object.assign(entry, { [this.spec.logAs]: id });
    const refusal = refusalOf(request, body, { targets: [this.spec.target], protocol: JSON_1_1 });
    const failure = refusal ? undefined : this.#failures.shift();
    if (failure === 'hang') return; // left open until close()
    const delayMs = (failure as { delayMs?: number } | undefined)?.delayMs ?? 0;
    if (!(await this.#server?.wait(delayMs)) || response.destroyed) return;
    const reply = refusal ?? this.#failureReply(failure) ?? this.#answer(id, body ?? {});
    sendAwsReply(response, reply, JSON_1_1);
  }

  #failureReply(failure: AwsFailure<InternalError> | undefined): AwsReply | undefined {
    const html = failure === 'html' ? 502 : (failure as { html?: 200 | 502 } | undefined)?.html;
    if (html) return { status: html, text: ERROR_PAGE, html: true };
    if (failure === 'ServiceUnavailable') return { status: 503, text: '' };
    if (failure === 'ThrottlingException') return awsError(failure, 'Rate exceeded');
    const internal = failure === this.spec.internalError;
    return internal ? awsError(failure, 'An error occurred on the server side.', 500) : undefined;
  }

  #answer(id: unknown, body: object): AwsReply {
    const { logAs, action } = this.spec;
    if (typeof id !== 'string' || !id) return awsError('ValidationException', `${logAs} is null`);
    const name = this.nameOf(id);
    if (!this.#denied.has(name)) return this.read(name, this.#stored.get(name) ?? [], body);
    const role = `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/callfire-release-local/local`;
    const message = `User: ${role} is not authorized to perform: ${action} on resource: `;
    return awsError('AccessDeniedException', message + this.arnOf(name));
  }
}

/**
 * The checks every local AWS JSON endpoint makes before an operation runs: route, signature,
 * operation (`x-amz-target`, one of `targets`), protocol (`application/x-amz-json-1.0` or `-1.1`),
 * body. The refusal to answer, if any.
 */
export function refusalOf(
  request: IncomingMessage,
  body: object | undefined,
  expected: { targets: readonly string[]; protocol: string },
): AwsReply | undefined {
  const { authorization, 'content-type': contentType = '' } = request.headers;
  const target = String(request.headers['x-amz-target'] ?? '');
  const refusals: Array<[refused: boolean, code: string, message: string]> = [
    [request.method !== 'POST' || request.url !== '/', 'UnknownOperationException', 'Not Found'],
    [!authorization, 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
    [!SIGV4.test(authorization ?? ''), 'IncompleteSignatureException', 'Not a SigV4 signature'],
    [!expected.targets.includes(target), 'UnknownOperationException', `No operation ${target}`],
    // Refusing another content type catches a client that does not speak the protocol at all.
    [
      parseContentType(contentType).type !== expected.protocol,
      'SerializationException',
      `Not ${expected.protocol}`,
    ],
    [body === undefined, 'SerializationException', 'The body is not a JSON object'],
  ];
  const [, code, message] = refusals.find(([refused]) => refused) ?? [];
  if (code === undefined) return undefined;
  return awsError(code, message ?? '', message === 'Not Found' ? 404 : 400);
}

/** Writes `reply` as the AWS JSON protocols do: `x-amzn-errortype` names an error. */
export function sendAwsReply(response: ServerResponse, reply: AwsReply, protocol: string): void {
  const headers: Record<string, string> = { 'x-amzn-requestid': randomUUID() };
  if ('text' in reply) {
    if (reply.html) headers['content-type'] = 'text/html';
    response.writeHead(reply.status, { ...headers, 'content-length': reply.text.length });
    return void response.end(reply.text);
  }
  const { __type: type } = reply.json as { __type?: string };
  if (type) headers['x-amzn-errortype'] = type;
  sendJson(response, reply.status, reply.json, { ...headers, 'content-type': protocol });
}

/** The body as a JSON object, or undefined when it is not one. */
export function jsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw || '{}');
    return typeof value === 'object' && value && !Array.isArray(value) ? { ...value } : undefined;
  } catch {
    return undefined;
  }
}
