import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { ReleaseFunctionError } from '../release/errors';

let firstInvocation = true;

/**
 * A child logger for one invocation, carrying its context, so that invocations sharing a process
 * (the dev server, Lambda's multi-concurrency runtimes) each log under their own request id.
 */
export function invocationLogger(logger: Logger, context: Context): Logger {
  const child = logger.createChild();
  child.addContext(context);
  // Every new Logger reports its first context as a cold start, but only the container's first
  // invocation is one: adding the context again reports it warm.
  if (!firstInvocation) child.addContext(context);
  firstInvocation = false;
  return child;
}

/** A refusal (4xx) as a warning, anything else as an error; name and message only. */
export function logFailure(logger: Logger, error: unknown): void {
  // A raw error's other fields may hold request configuration: never logged.
  const { name, message } =
    error instanceof Error ? error : { name: typeof error, message: 'non-Error thrown' };
  const line = { errorName: name, errorMessage: message };
  if (error instanceof ReleaseFunctionError && error.http.status < 500) {
    logger.warn('request rejected', line);
  } else {
    logger.error('invocation failed', line);
  }
}

/** The time an invocation may spend, as an abort signal: its remaining time less `marginMs`. */
export function budgetSignal(context: Context, capMs: number, marginMs: number): AbortSignal {
  const budget = Math.min(capMs, context.getRemainingTimeInMillis() - marginMs);
  return AbortSignal.timeout(Math.max(1, budget));
}
