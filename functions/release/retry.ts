import { CallFireError } from './errors';

/**
 * The time an invocation may spend on CallFire calls. Its signal fires at the deadline and aborts
 * every call still in flight.
 */
export interface Budget {
  readonly deadline: number;
  readonly signal: AbortSignal;
  dispose(): void;
}

export function createBudget(ms: number, now: number = Date.now()): Budget {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, ms));
  return {
    deadline: now + ms,
    signal: controller.signal,
    dispose: () => clearTimeout(timer),
  };
}

/**
 * Settles with `work`, or rejects with `expired()` as soon as the budget runs out: for work that
 * takes no abort signal of its own (the secret read through Powertools). The work itself is left
 * to finish or time out on its own; its result is then ignored.
 */
export function withinBudget<T>(
  work: Promise<T>,
  budget: Budget,
  expired: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(expired());
    };
    if (budget.signal.aborted) {
      onAbort();
      return;
    }
    budget.signal.addEventListener('abort', onAbort, { once: true });
    const done = () => budget.signal.removeEventListener('abort', onAbort);
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Deadline of one attempt. */
  callTimeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** An attempt with less time than this left could not finish; it is not started. */
  minAttemptMs: number;
}

export const DEFAULT_RETRY_POLICY: Omit<RetryPolicy, 'callTimeoutMs'> = {
  attempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  minAttemptMs: 250,
};

export interface Attempt {
  signal: AbortSignal;
  timeoutMs: number;
}

/**
 * How a CallFire call ended, after how many attempts. A failure whose request may have reached
 * CallFire and been applied (an attempt sent without an answer) says so: `maybeApplied`.
 */
export type CallResult<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; error: CallFireError; attempts: number; maybeApplied?: boolean };

/**
 * Runs `call` until it succeeds, fails permanently, runs out of attempts or out of budget.
 * Transient failures wait an exponential backoff with full jitter (AWS Architecture Blog,
 * "Exponential Backoff And Jitter"), so concurrent items that failed together do not retry in step,
 * and at least as long as CallFire's Retry-After asks; when that wait does not fit the budget, the
 * last failure stands at once instead of hammering.
 *
 * `DEADLINE` is only for a call never sent; a call the budget cut off after sending fails with
 * what happened to it (an uncertain TIMEOUT). Never throws.
 */
export async function callWithRetries<T>(
  call: (attempt: Attempt) => Promise<T>,
  budget: Budget,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Promise<CallResult<T>> {
  let last: CallFireError | undefined;
  let made = 0;
  let maybeApplied = false;
  const failure = (error: CallFireError, attempts: number): CallResult<T> =>
    maybeApplied ? { ok: false, error, attempts, maybeApplied } : { ok: false, error, attempts };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (last) {
      const backoff =
        random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 2));
      const delay = Math.max(backoff, last.retryAfterMs ?? 0);
      if (Date.now() + delay + policy.minAttemptMs > budget.deadline) break;
      await sleep(delay);
    }
    const remaining = budget.deadline - Date.now();
    if (remaining < policy.minAttemptMs || budget.signal.aborted) break;
    const timeoutMs = Math.min(policy.callTimeoutMs, remaining);
    made = attempt;
    try {
      return {
        ok: true,
        value: await withTimeout(call, budget.signal, timeoutMs),
        attempts: attempt,
      };
    } catch (error) {
      last = asCallFireError(error);
      if (last.uncertain) maybeApplied = true;
      if (budget.signal.aborted) {
        return failure(last.uncertain ? last : deadlineError(), attempt);
      }
      if (!last.retryable || attempt === policy.attempts) return failure(last, attempt);
    }
  }
  // Only the budget ends the loop early: what is left would not finish in time.
  return failure(last ?? deadlineError(), made);
}
async function withTimeout<T>(
  call: (attempt: Attempt) => Promise<T>,
  deadline: AbortSignal,
  timeoutMs: number,
): Promise<T> {
  // One controller per attempt, fired by its own timer or the invocation's deadline. (Not
  // AbortSignal.any: it keeps the long-lived deadline signal's dependants alive on Node 20.)
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, timeoutMs);
  deadline.addEventListener('abort', abort, { once: true });
  try {
    return await call({ signal: controller.signal, timeoutMs });
  } finally {
    clearTimeout(timer);
    deadline.removeEventListener('abort', abort);
  }
}

function deadlineError(): CallFireError {
  return new CallFireError('DEADLINE', "Not sent before the invocation's time ran out", true);
}

function asCallFireError(error: unknown): CallFireError {
  if (error instanceof CallFireError) return error;
  // The NumberService port only rejects with CallFireError; anything else is a bug worth naming.
  const name = error instanceof Error ? error.name : typeof error;
  return new CallFireError('NETWORK', `Unexpected failure (${name})`, true);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
