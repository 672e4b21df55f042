/**
 * A local AWS Secrets Manager endpoint speaking the service's JSON 1.1 protocol, enough for
 * `GetSecretValue` through the real AWS SDK v3 client. Point the SDK at it with
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER=<endpoint>` or the client's `endpoint` option.
 *
 * Requests must be SigV4-signed (an `authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=
 * ..., Signature=...` header), which proves the caller went through the SDK's signer; without one
 * the answer is 400 MissingAuthenticationTokenException, with a malformed one 400
 * IncompleteSignatureException (the `__type` spelling of AWS's JSON services). The signature
 * itself is NOT verified: the credentials are dummies, and recomputing SigV4 here would only test
 * the SDK's signer against a copy of itself.
 *
 * Errors come as the real service sends them: JSON `{"__type", "message"}` plus the
 * `x-amzn-errortype` header, except ServiceUnavailable, which is a bare 503 as a load balancer
 * gives it.
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from './http-body';
import { type LoopbackServer, listenOnLoopback } from './loopback-server';

/** Region and account of every ARN the stand-in makes up. */
export const LOCAL_AWS_REGION = 'us-east-1';
export const LOCAL_AWS_ACCOUNT_ID = '000000000000';

/** The ARN of secret `name`; the random suffix AWS appends is fixed to `AbCdEf`. */
export function localSecretArn(name: string): string {
  return `arn:aws:secretsmanager:${LOCAL_AWS_REGION}:${LOCAL_AWS_ACCOUNT_ID}:secret:${name}-AbCdEf`;
}

/** One request received, signed or not. */
export interface SecretsManagerRequest {
  /** The `x-amz-target` header, e.g. `secretsmanager.GetSecretValue`; empty when absent. */
  target: string;
  secretId?: string;
  /** Epoch milliseconds. */
  at: number;
}

/** Failures {@link LocalSecretsManager.failNext} can inject. */
export type InjectedSecretsManagerFailure =
  | 'ThrottlingException'
  | 'InternalServiceError'
  | 'ServiceUnavailable';

/** A running local Secrets Manager. */
export interface LocalSecretsManager {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly endpoint: string;
  /** Every request received, in order, including refused and failed ones (SDK retries show). */
  readonly requests: SecretsManagerRequest[];
  /** Creates or rotates a secret (by name); every call makes a new VersionId. */
  setSecret(id: string, secretString: string): void;
  /** Removes a secret (by name or ARN); GetSecretValue then answers ResourceNotFoundException. */
  deleteSecret(id: string): void;
  /** GetSecretValue on this secret (by name or ARN) answers AccessDeniedException. */
  denyAccess(id: string): void;
  /** The next `times` (default 1) signed requests fail this way, whatever they ask. */
  failNext(code: InjectedSecretsManagerFailure, times?: number): void;
  /** Back to the start-up secrets; clears requests, denials and queued failures. */
  reset(): void;
  close(): Promise<void>;
}

/** Options of {@link startLocalSecretsManager}. */
export interface LocalSecretsManagerOptions {
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Secrets present at start-up (and after `reset()`), name to SecretString. */
  secrets?: Record<string, string>;
}

/** Starts a local Secrets Manager on 127.0.0.1. Close it with `close()`. */
export async function startLocalSecretsManager(
  options: LocalSecretsManagerOptions = {},
): Promise<LocalSecretsManager> {
  const secretsManager = new SecretsManagerStandIn(options.secrets ?? {});
  await secretsManager.listen(options.port ?? 0);
  return secretsManager;
}

const JSON_1_1 = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'secretsmanager.';
const MAX_BODY_BYTES = 64 * 1024;

interface SecretVersion {
  versionId: string;
  secretString: string;
  /** Epoch seconds, as the service sends dates in JSON. */
  createdDate: number;
  stages: string[];
}

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

class SecretsManagerStandIn implements LocalSecretsManager {
  readonly requests: SecretsManagerRequest[] = [];
  readonly #initial: Record<string, string>;
  /** Secret name to its versions, newest first. */
  readonly #secrets = new Map<string, SecretVersion[]>();
  readonly #denied = new Set<string>();
  readonly #failures: InjectedSecretsManagerFailure[] = [];
  #server: LoopbackServer | undefined;

  constructor(initial: Record<string, string>) {
    this.#initial = { ...initial };
    this.reset();
  }

  get endpoint(): string {
    if (this.#server === undefined) throw new Error('the local Secrets Manager is not listening');
    return this.#server.origin;
  }

  async listen(port: number): Promise<void> {
    this.#server = await listenOnLoopback(
      (request, response) => this.#handle(request, response),
      port,
    );
  }

  setSecret(id: string, secretString: string): void {
    const versions = this.#secrets.get(id) ?? [];
    // Rotation as AWS does it: the old current version becomes AWSPREVIOUS, older ones lose stages.
    for (const version of versions) version.stages = [];
    if (versions[0] !== undefined) versions[0].stages = ['AWSPREVIOUS'];
    versions.unshift({
      versionId: randomUUID(),
      secretString,
      createdDate: Date.now() / 1000,
      stages: ['AWSCURRENT'],
    });
    this.#secrets.set(id, versions);
  }

  deleteSecret(id: string): void {
    this.#secrets.delete(this.#nameOf(id) ?? id);
  }

  denyAccess(id: string): void {
    this.#denied.add(this.#nameOf(id) ?? id);
  }

  failNext(code: InjectedSecretsManagerFailure, times = 1): void {
    if (!Number.isInteger(times) || times < 1) {
      throw new TypeError('times must be a positive integer');
    }
    for (let index = 0; index < times; index += 1) this.#failures.push(code);
  }

  reset(): void {
    this.requests.length = 0;
    this.#secrets.clear();
    this.#denied.clear();
    this.#failures.length = 0;
    for (const [name, value] of Object.entries(this.#initial)) this.setSecret(name, value);
  }

  async close(): Promise<void> {
    await this.#server?.close();
  }

  /** A secret's name from its name, full ARN or partial ARN (without the random suffix). */
  #nameOf(secretId: string): string | undefined {
    if (this.#secrets.has(secretId)) return secretId;
    for (const name of this.#secrets.keys()) {
      const arn = localSecretArn(name);
      if (secretId === arn || secretId === arn.slice(0, -'-AbCdEf'.length)) return name;
    }
    return undefined;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const targetHeader = request.headers['x-amz-target'];
    const target = Array.isArray(targetHeader) ? targetHeader.join(',') : (targetHeader ?? '');
    const record: SecretsManagerRequest = { target, at: Date.now() };
    this.requests.push(record);

    let raw: string;
    try {
      raw = (await readRequestBody(request, MAX_BODY_BYTES)).toString('utf8');
    } catch {
      // Too large, or the client went away mid-body (then there is no one to answer).
      if (!response.destroyed) {
        sendError(response, badRequest('SerializationException', 'body too large'));
      }
      return;
    }
    let body: unknown;
    try {
      body = raw === '' ? {} : JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const secretId = field(body, 'SecretId');
    if (typeof secretId === 'string') record.secretId = secretId;

    const refusal = this.#refusal(request, target, body);
    if (refusal !== undefined) {
      sendError(response, refusal);
      return;
    }
    const failure = this.#failures.shift();
    if (failure === 'ServiceUnavailable') {
      response.writeHead(503, { 'content-length': '0', 'x-amzn-requestid': randomUUID() });
      response.end();
      return;
    }
    if (failure === 'ThrottlingException') {
      sendError(response, badRequest('ThrottlingException', 'Rate exceeded'));
      return;
    }
    if (failure === 'InternalServiceError') {
      sendError(response, {
        status: 500,
        code: 'InternalServiceError',
        message: 'An error occurred on the server side.',
      });
      return;
    }
    this.#getSecretValue(response, body);
  }

  /** Refusals before the operation runs: route, signature, operation, protocol, body. */
  #refusal(request: IncomingMessage, target: string, body: unknown): ErrorAnswer | undefined {
    if (request.method !== 'POST' || new URL(request.url ?? '/', 'http://x').pathname !== '/') {
      return { status: 404, code: 'UnknownOperationException', message: 'Not Found' };
    }
    const authorization = request.headers.authorization;
    if (authorization === undefined) {
      return badRequest(
        'MissingAuthenticationTokenException',
        'Request is missing Authentication Token',
      );
    }
    if (
      !authorization.startsWith('AWS4-HMAC-SHA256 ') ||
      !['Credential=', 'SignedHeaders=', 'Signature='].every((part) => authorization.includes(part))
    ) {
      return badRequest(
        'IncompleteSignatureException',
        `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters with algorithm AWS4-HMAC-SHA256.`,
      );
    }
    if (target !== `${TARGET_PREFIX}GetSecretValue`) {
      return badRequest(
        'UnknownOperationException',
        `Unsupported operation ${JSON.stringify(target)}`,
      );
    }
    // What the real service does with another content type is not pinned down; refusing it
    // catches a client that is not speaking the JSON 1.1 protocol at all.
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== JSON_1_1) {
      return badRequest('SerializationException', `expected content-type ${JSON_1_1}`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return badRequest('SerializationException', 'request body is not a JSON object');
    }
    return undefined;
  }

  #getSecretValue(response: ServerResponse, body: unknown): void {
    const secretId = field(body, 'SecretId');
    if (typeof secretId !== 'string' || secretId === '') {
      sendError(
        response,
        badRequest(
          'ValidationException',
          "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
        ),
      );
      return;
    }
    const name = this.#nameOf(secretId);
    const versions = name === undefined ? undefined : this.#secrets.get(name);
    if (name === undefined || versions === undefined) {
      sendError(response, notFound());
      return;
    }
    if (this.#denied.has(name)) {
      sendError(
        response,
        badRequest(
          'AccessDeniedException',
          `User: arn:aws:sts::${LOCAL_AWS_ACCOUNT_ID}:assumed-role/callfire-release-local/callfire-release-local is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secretId} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
        ),
      );
      return;
    }
    const versionId = field(body, 'VersionId');
    const stage = field(body, 'VersionStage');
    const version = versions.find((candidate) =>
      typeof versionId === 'string'
        ? candidate.versionId === versionId
        : candidate.stages.includes(typeof stage === 'string' ? stage : 'AWSCURRENT'),
    );
    if (version === undefined) {
      sendError(response, notFound());
      return;
    }
    sendJson11(response, 200, {
      ARN: localSecretArn(name),
      Name: name,
      VersionId: version.versionId,
      SecretString: version.secretString,
      VersionStages: version.stages,
      CreatedDate: version.createdDate,
    });
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function badRequest(code: string, message: string): ErrorAnswer {
  return { status: 400, code, message };
}

function notFound(): ErrorAnswer {
  return badRequest(
    'ResourceNotFoundException',
    "Secrets Manager can't find the specified secret.",
  );
}

function sendError(response: ServerResponse, { status, code, message }: ErrorAnswer): void {
  sendJson11(response, status, { __type: code, message }, { 'x-amzn-errortype': code });
}

function sendJson11(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    'content-type': JSON_1_1,
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(body);
}
