/**
 * The function's named errors. Each sets a literal `name`: the bundle is minified, and Step
 * Functions Retry/Catch and Lambda's on-failure records match on these names, so they must not be
 * derived from `constructor.name`.
 *
 * Messages are written for the caller and never carry a secret: raw errors from `soap` or the AWS
 * SDK are kept only as `cause` (never serialised into an answer or a log line).
 */

/** One problem with a request, located by a JSON path such as `keywords[1].shortCode`. */
export interface RequestIssue {
  path: string;
  message: string;
}

/**
 * The request is not one the function will act on. Nothing was sent to CallFire.
 *
 * `tooLarge` marks the limits (item count, body size) that HTTP callers get as 413.
 */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  readonly issues: RequestIssue[];
  readonly tooLarge: boolean;

  /** @param options.source where the request came from, when that explains the problem */
  constructor(issues: RequestIssue[], options: { tooLarge?: boolean; source?: string } = {}) {
    const where = options.source ? ` in ${options.source}` : '';
    super(
      `Invalid release request${where}: ${issues.map((issue) => `${issue.path || '(request)'}: ${issue.message}`).join('; ')}`,
    );
    this.issues = issues;
    this.tooLarge = options.tooLarge ?? false;
  }
}

/**
 * The deployment is wrong: a missing or malformed setting or secret, or credentials CallFire
 * rejects. Retrying cannot help until someone fixes it.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** A dependency of the whole request (Secrets Manager) is unavailable; retrying later can help. */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
  /** Seconds an HTTP caller should wait before retrying. */
  readonly retryAfterSeconds: number;

  constructor(message: string, options: ErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(message, options);
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }
}

/**
 * Some items failed for reasons that may pass (CallFire unavailable, timeouts, the deadline).
 * Thrown for asynchronous and direct invocations so Lambda's retries, its on-failure destination
 * or a Step Functions Retry take over; releasing again is harmless.
 */
export class ReleaseIncompleteError extends Error {
  override readonly name = 'ReleaseIncompleteError';
}

/** The event came from a source this function is not wired for (it would otherwise be misread). */
export class UnsupportedTriggerError extends Error {
  override readonly name = 'UnsupportedTriggerError';
}

/** The codes an item can fail with: CallFire's FaultCodes, then the function's own. */
export type FailureCode =
  | 'BAD_REQUEST'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'NOT_IMPLEMENTED'
  | 'AMBIGUOUS_KEYWORD'
  | 'CREDENTIALS_REJECTED'
  | 'UPSTREAM_HTTP'
  | 'NETWORK'
  | 'DEADLINE';

/**
 * A failed CallFire call, already stripped of everything `soap` and its transport attach to their
 * errors (request configuration with the Authorization header, raw bodies). Safe to log and to
 * return.
 */
export class CallFireError extends Error {
  override readonly name = 'CallFireError';
  readonly code: FailureCode;
  readonly retryable: boolean;

  constructor(code: FailureCode, message: string, retryable: boolean) {
    super(message);
    this.code = code;
    this.retryable = retryable;
  }
}
