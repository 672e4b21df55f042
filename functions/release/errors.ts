/**
 * The function's named errors. Each sets a literal `name`: the bundle is minified, and Step
 * Functions Retry/Catch and Lambda's on-failure records match on these names, so they must not be
 * derived from `constructor.name`.
 *
 * A request-level error carries its HTTP meaning (status, code, whether its message may be shown),
 * so that one mapper turns any of them into an answer (triggers/http-answer.ts). Messages are
 * written for the caller and never carry a secret: raw errors from `soap` or the AWS SDK are kept
 * only as `cause` (never serialised into an answer or a log line).
 */
import type { FaultCode } from './callfire/contract';

/** One problem with a request, located by a JSON path such as `keywords[1].shortCode`. */
export interface RequestIssue {
  path: string;
  message: string;
}

/** What an error means to an HTTP caller. */
export interface HttpMeaning {
  status: number;
  /** The `error.code` of the answer. */
  code: string;
  /** Whether the message is meant for the caller; if not, the answer says only where to look. */
  expose: boolean;
  headers?: Record<string, string>;
  /** More fields of the answer's body, beside `error`. */
  details?: Record<string, unknown>;
}

/** An error the function raises on purpose, with what it means to an HTTP caller. */
export abstract class ReleaseFunctionError extends Error {
  abstract readonly http: HttpMeaning;
}

/** Problems listed in an answer or a log line; the rest are counted, so both stay small. */
const MAX_LISTED_ISSUES = 20;

/**
 * The request is not one the function will act on. Nothing was sent to CallFire. The limits (item
 * count, body size) are `tooLarge`: HTTP 413 rather than 400.
 *
 * At most {@link MAX_LISTED_ISSUES} problems are listed, each path and message clipped, and the
 * rest counted: a request of 34,000 unknown keys must not make a 6 MB answer or log line.
 */
export class InvalidRequestError extends ReleaseFunctionError {
  override readonly name = 'InvalidRequestError';
  /** The problems listed, at most {@link MAX_LISTED_ISSUES}. */
  readonly issues: RequestIssue[];
  /** How many more problems were found and not listed. */
  readonly omitted: number;
  readonly tooLarge: boolean;

  /**
   * @param options.source where the request came from, when that explains the problem
   * @param options.omitted problems already left out of `issues` (when re-raising another's)
   */
  constructor(
    issues: RequestIssue[],
    options: { tooLarge?: boolean; source?: string; omitted?: number } = {},
  ) {
    const listed = issues
      .slice(0, MAX_LISTED_ISSUES)
      .map(({ path, message }) => ({ path: clip(path, 120), message: clip(message, 400) }));
    const omitted = issues.length - listed.length + (options.omitted ?? 0);
    const where = options.source ? ` in ${clip(options.source, 300)}` : '';
    const more = omitted > 0 ? `; and ${omitted} more problems` : '';
    super(
      `Invalid release request${where}: ${listed.map((issue) => `${issue.path || '(request)'}: ${issue.message}`).join('; ')}${more}`,
    );
    this.issues = listed;
    this.omitted = omitted;
    this.tooLarge = options.tooLarge ?? false;
  }

  /**
   * The same problems, said of a request that came from `source` (an SQS message, an event) and,
   * with `under`, found inside one of its fields (`detail`): paths are prefixed with it.
   */
  from(source: string, under?: string): InvalidRequestError {
    const issues = under
      ? this.issues.map(({ path, message }) => ({
          path: path ? `${under}.${path}` : under,
          message,
        }))
      : this.issues;
    return new InvalidRequestError(issues, {
      tooLarge: this.tooLarge,
      source,
      omitted: this.omitted,
    });
  }

  get http(): HttpMeaning {
    const errors =
      this.omitted > 0
        ? [...this.issues, { path: '', message: `and ${this.omitted} more problems not listed` }]
        : this.issues;
    return this.tooLarge
      ? { status: 413, code: 'REQUEST_TOO_LARGE', expose: true, details: { errors } }
      : { status: 400, code: 'INVALID_REQUEST', expose: true, details: { errors } };
  }
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/**
 * The deployment is wrong: a missing or malformed setting or secret, or credentials CallFire
 * rejects. Retrying cannot help until someone fixes it.
 */
export class ConfigurationError extends ReleaseFunctionError {
  override readonly name = 'ConfigurationError';
  readonly http: HttpMeaning = { status: 500, code: 'CONFIGURATION_ERROR', expose: true };
}

/** A dependency of the whole request (Secrets Manager) is unavailable; retrying later can help. */
export class DependencyUnavailableError extends ReleaseFunctionError {
  override readonly name = 'DependencyUnavailableError';
  /** Seconds an HTTP caller should wait before retrying. */
  readonly retryAfterSeconds: number;

  constructor(message: string, options: ErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(message, options);
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }

  get http(): HttpMeaning {
    return {
      status: 503,
      code: 'DEPENDENCY_UNAVAILABLE',
      expose: true,
      headers: { 'retry-after': String(this.retryAfterSeconds) },
    };
  }
}

/**
 * Some items failed for reasons that may pass (CallFire unavailable, timeouts, the deadline).
 * Thrown for asynchronous and direct invocations so Lambda's retries, its on-failure destination
 * or a Step Functions Retry take over; releasing again is harmless.
 */
export class ReleaseIncompleteError extends ReleaseFunctionError {
  override readonly name = 'ReleaseIncompleteError';
  readonly http: HttpMeaning = { status: 502, code: 'RELEASE_INCOMPLETE', expose: true };
}

/** The event came from a source this function is not wired for (it would otherwise be misread). */
export class UnsupportedTriggerError extends ReleaseFunctionError {
  override readonly name = 'UnsupportedTriggerError';
  readonly http: HttpMeaning = { status: 501, code: 'UNSUPPORTED_TRIGGER', expose: true };
}

/**
 * The request is past its `notAfter`, or an EventBridge event older than `MAX_EVENT_AGE_SECONDS`:
 * nothing was released. Not retryable: the same request will only be staler.
 */
export class RequestExpiredError extends ReleaseFunctionError {
  override readonly name = 'RequestExpiredError';
  readonly http: HttpMeaning = { status: 400, code: 'REQUEST_EXPIRED', expose: true };
}

/**
 * A release with `planHash` found the account (or the list) no longer as the plan saw it: nothing
 * was released. The answer carries the fresh plan to review. Not retryable as it is.
 */
export class PlanChangedError extends ReleaseFunctionError {
  override readonly name = 'PlanChangedError';
  readonly http: HttpMeaning;

  /** @param plan the fresh plan: its hash and each item's state now */
  constructor(message: string, plan: { hash: string; items: unknown[] }) {
    super(message);
    this.http = { status: 409, code: 'PLAN_CHANGED', expose: true, details: { plan } };
  }
}

/** An HTTP request for a path the function does not serve. */
export class RouteNotFoundError extends ReleaseFunctionError {
  override readonly name = 'RouteNotFoundError';
  readonly http: HttpMeaning = { status: 404, code: 'NOT_FOUND', expose: true };
}

/** An HTTP request with a method the route does not accept. */
export class MethodNotAllowedError extends ReleaseFunctionError {
  override readonly name = 'MethodNotAllowedError';
  readonly http: HttpMeaning;

  constructor(message: string, allow: string) {
    super(message);
    this.http = { status: 405, code: 'METHOD_NOT_ALLOWED', expose: true, headers: { allow } };
  }
}

/** The codes an item can fail with: CallFire's FaultCodes, then the function's own. */
export type FailureCode =
  | FaultCode
  | 'AMBIGUOUS_KEYWORD'
  | 'CREDENTIALS_REJECTED'
  | 'UPSTREAM_HTTP'
  | 'UPSTREAM_INVALID'
  | 'NETWORK'
  | 'DEADLINE'
  | 'OUTCOME_UNKNOWN';

/**
 * A failed CallFire call, already stripped of everything `soap` and its transport attach to their
 * errors (request configuration with the Authorization header, raw bodies). Safe to log and to
 * return. Not a request-level error: it becomes one item's outcome.
 */
export class CallFireError extends Error {
  override readonly name = 'CallFireError';
  readonly code: FailureCode;
  readonly retryable: boolean;
  /** How long CallFire asked callers to wait before trying again (its Retry-After). */
  readonly retryAfterMs: number | undefined;
  /** The request was sent and no answer came: CallFire may have applied it. */
  readonly uncertain: boolean;

  constructor(
    code: FailureCode,
    message: string,
    retryable: boolean,
    options: ErrorOptions & { retryAfterMs?: number | undefined; uncertain?: boolean } = {},
  ) {
    super(message, options);
    this.code = code;
    this.retryable = retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.uncertain = options.uncertain ?? false;
  }
}
