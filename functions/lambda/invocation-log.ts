/**
 * How every function of this project logs an invocation: a child logger of its own, and one way to
 * log a failure. Shared by the release function and the job API (and its Finalize step).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { ReleaseFunctionError, ReleaseIncompleteError } from '../release/errors';

/** Time kept back from an invocation's remaining time to answer, log and flush metrics. */
export const SAFETY_MARGIN_MS = 1_000;

let firstInvocation = true;

/**
 * A child logger for one invocation, carrying its context, so that invocations sharing a process
 * (the dev server, Lambda's multi-concurrency runtimes) each log under their own request id;
 * `first` says whether this is the container's first invocation (its cold start).
 */
export function invocationLogger(
  logger: Logger,
  context: Context,
): { logger: Logger; first: boolean } {
  const child = logger.createChild();
  child.addContext(context);
  // Every new Logger reports its first context as a cold start, but only the container's first
  // invocation is one: adding the context again reports it warm.
  const first = firstInvocation;
  if (!first) child.addContext(context);
  firstInvocation = false;
  return { logger: child, first };
}

/**
 * Logs a failure the same way everywhere, by name and message only (a raw error's other fields may
 * hold request configuration); `about` adds what the failure concerns (an SQS message id). A
 * refusal (4xx) is a warning; so is ReleaseIncompleteError, the signal for a retry that follows
 * (Lambda's, the queue's, the job's), whose items are logged one by one already; anything else is
 * an error: ERROR lines are what someone must act on (infra/alarms.yml, LoggedErrorsAlarm).
 */
export function logFailure(
  logger: Logger,
  error: unknown,
  about: Record<string, string> = {},
): void {
  const { name, message } =
    error instanceof Error ? error : { name: typeof error, message: 'non-Error thrown' };
  const line = { ...about, errorName: name, errorMessage: message };
  if (error instanceof ReleaseIncompleteError) {
    logger.warn('release incomplete: a retry follows', line);
  } else if (error instanceof ReleaseFunctionError && error.http.status < 500) {
    logger.warn('request rejected', line);
  } else {
    logger.error('invocation failed', line);
  }
}
