import type { Operation } from './callfire/contract';
import type { Credentials, NumberService } from './callfire/number-service';
import type { CredentialsSource } from './credentials/secret-credentials';
import { CallFireError, ConfigurationError, DependencyUnavailableError } from './errors';
import type { ItemResult } from './result';
import {
  type Attempt,
  type Budget,
  type CallResult,
  callWithRetries,
  type RetryPolicy,
} from './retry';

/** Told about every CallFire call and every settled item: the audit trail and the metrics. */
export interface ReleaseObserver {
  call(event: { operation: Operation; latencyMs: number; ok: boolean }): void;
  item(event: { result: ItemResult; attempts: number; latencyMs: number; dryRun: boolean }): void;
}

export const NO_OBSERVER: ReleaseObserver = { call: () => {}, item: () => {} };

/** One CallFire operation, given the credentials and the attempt's signal and timeout. */
export type CallFireCall<T> = (
  service: NumberService,
  credentials: Credentials,
  attempt: Attempt,
) => Promise<T>;

/** Calls CallFire for one invocation: retries, the deadline, and what to do after a 401. */
export interface CallFireCaller {
  call<T>(operation: Operation, send: CallFireCall<T>): Promise<CallResult<T>>;
}

export interface CallerOptions {
  numberService: NumberService;
  credentials: CredentialsSource;
  observer: ReleaseObserver;
  budget: Budget;
  retry: RetryPolicy;
  /** Named in the error when CallFire rejects the credentials the secret holds. */
  secretId: string;
}

/**
 * A caller holding the invocation's credentials (read by the caller beforehand, so that a missing
 * secret fails the request before anything is sent).
 *
 * After a 401 it reads the secret afresh once (concurrent 401s share the read) and tries again
 * with what it got. Once CallFire has rejected fresh credentials, or the secret has become
 * unreadable, later calls are not sent: more 401s would only risk locking the account. Such a
 * failure carries the whole-request problem as its `cause` (a ConfigurationError), which the
 * release core raises when nothing succeeded.
 */
export function createCallFireCaller(options: CallerOptions, initial: Credentials): CallFireCaller {
  let credentials = initial;
  let blocked: ConfigurationError | undefined;

  const attempt = <T>(operation: Operation, send: CallFireCall<T>, held: Credentials) =>
    callWithRetries(
      (timing) =>
        timed(options.observer, operation, () => send(options.numberService, held, timing)),
      options.budget,
      options.retry,
    );

  async function refresh(rejected: Credentials): Promise<CallFireError | undefined> {
    try {
      credentials = await options.credentials.refresh(rejected);
      return undefined;
    } catch (error) {
      // The item keeps its outcome rather than sinking the whole request (other items may already
      // be released). Secrets Manager being down may pass; a secret now missing or malformed will
      // not, and then no later call is sent either.
      const passing = error instanceof DependencyUnavailableError;
      if (!passing) {
        blocked =
          error instanceof ConfigurationError
            ? error
            : new ConfigurationError(`Reading secret ${options.secretId} again failed`);
      }
      const reason = error instanceof Error ? error.message : 'unknown error';
      return new CallFireError(
        'CREDENTIALS_REJECTED',
        `CallFire rejected the API credentials (HTTP 401) and reading the secret again failed: ${reason}`,
        passing,
        blocked ? { cause: blocked } : undefined,
      );
    }
  }

  return {
    async call(operation, send) {
      if (blocked) return { ok: false, error: notSent(blocked), attempts: 0 };
      const held = credentials;
      const first = await attempt(operation, send, held);
      if (first.ok || first.error.code !== 'CREDENTIALS_REJECTED') return first;
      const unreadable = await refresh(held);
      if (unreadable) return { ok: false, error: unreadable, attempts: first.attempts };
      const second = await attempt(operation, send, credentials);
      const attempts = first.attempts + second.attempts;
      if (second.ok || second.error.code !== 'CREDENTIALS_REJECTED') return { ...second, attempts };
      blocked ??= new ConfigurationError(
        `CallFire rejected the API credentials in secret ${options.secretId} (HTTP 401), also after reading the secret again: check the username and password`,
      );
      const { code, message, retryable } = second.error;
      return {
        ok: false,
        error: new CallFireError(code, message, retryable, { cause: blocked }),
        attempts,
      };
    },
  };
}

function notSent(problem: ConfigurationError): CallFireError {
  return new CallFireError(
    'CREDENTIALS_REJECTED',
    'Not sent: CallFire rejected the API credentials',
    false,
    { cause: problem },
  );
}

async function timed<T>(
  observer: ReleaseObserver,
  operation: Operation,
  call: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  try {
    const value = await call();
    observer.call({ operation, latencyMs: Date.now() - started, ok: true });
    return value;
  } catch (error) {
    observer.call({ operation, latencyMs: Date.now() - started, ok: false });
    throw error;
  }
}
