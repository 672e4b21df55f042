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
  withinBudget,
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
 * Rejected credentials (HTTP 401) stop the run rather than multiply: after the first 401, calls
 * wait for one fresh read of the secret (it may have been rotated); then one call probes with what
 * it got while the others wait again. If the probe is rejected too, or the secret has become
 * unreadable, nothing more is sent: more 401s would only risk locking the account. So an
 * invocation sends at most `RELEASE_CONCURRENCY + 1` requests that get a 401, and reads the secret
 * afresh at most once. A failure that stops the run carries the whole-request problem as its
 * `cause` (a ConfigurationError), which the release core raises when nothing succeeded.
 */
export function createCallFireCaller(options: CallerOptions, initial: Credentials): CallFireCaller {
  const gate = createCredentialsGate(options, initial);
  const attempt = <T>(operation: Operation, send: CallFireCall<T>, held: Credentials) =>
    callWithRetries(
      (timing) =>
        timed(options.observer, operation, () => send(options.numberService, held, timing)),
      options.budget,
      options.retry,
    );
  return {
    async call(operation, send) {
      let attempts = 0;
      for (;;) {
        const ticket = await gate.acquire(attempts > 0);
        if ('stop' in ticket) return { ok: false, error: ticket.stop, attempts };
        const result = await attempt(operation, send, ticket.credentials);
        attempts += result.attempts;
        const rejected = !result.ok && result.error.code === 'CREDENTIALS_REJECTED';
        const stopped = gate.report(ticket, rejected);
        if (!rejected) return { ...result, attempts };
        if (stopped && !result.ok)
          return { ok: false, error: withCause(result.error, stopped), attempts };
      }
    },
  };
}

type Ticket = { credentials: Credentials; probe: boolean } | { stop: CallFireError };

type GateState =
  | { kind: 'trusted'; credentials: Credentials }
  | { kind: 'refreshing'; settled: Promise<void> }
  | { kind: 'probing'; credentials: Credentials; taken: boolean; settled: Promise<void> }
  | { kind: 'stopped'; rejected: CallFireError; unsent: CallFireError };

/** The credentials state of one invocation: trusted, being read afresh, on probation, or stopped. */
function createCredentialsGate(options: CallerOptions, initial: Credentials) {
  let state: GateState = { kind: 'trusted', credentials: initial };
  let refreshed = false;
  let settleProbe = () => {};

  function refresh(rejected: Credentials): void {
    refreshed = true;
    const settled = readWithin(options, () => options.credentials.refresh(rejected)).then(
      (fresh) => {
        const probed = new Promise<void>((resolve) => {
          settleProbe = resolve;
        });
        state = { kind: 'probing', credentials: fresh, taken: false, settled: probed };
      },
      (error: unknown) => {
        state = unreadable(error, options.secretId);
      },
    );
    state = { kind: 'refreshing', settled };
  }

  return {
    /** Credentials to send with (`probe`: the first try of fresh ones), or why not to send. */
    async acquire(sentBefore: boolean): Promise<Ticket> {
      for (;;) {
        const current = state;
        if (current.kind === 'stopped')
          return { stop: sentBefore ? current.rejected : current.unsent };
        if (current.kind === 'trusted') return { credentials: current.credentials, probe: false };
        if (current.kind === 'probing' && !current.taken) {
          current.taken = true;
          return { credentials: current.credentials, probe: true };
        }
        await current.settled;
      }
    },
    /** Whether CallFire rejected a ticket's credentials; returns the problem once the run stops. */
    report(ticket: { credentials: Credentials; probe: boolean }, rejected: boolean) {
      if (ticket.probe) {
        state = rejected
          ? rejectedForGood(options.secretId)
          : { kind: 'trusted', credentials: ticket.credentials };
        settleProbe();
      } else if (rejected && state.kind === 'trusted' && state.credentials === ticket.credentials) {
        // A second rejection after a successful probe: reading again would not help.
        if (refreshed) state = rejectedForGood(options.secretId);
        else refresh(ticket.credentials);
      }
      return state.kind === 'stopped' ? (state.rejected.cause as Error | undefined) : undefined;
    },
  };
}

/**
 * A read of the secret, cut short when the invocation's budget runs out: the SDK's own timeouts
 * and retries can outlast it, and no answer may be held past the deadline.
 */
export function readWithin<T>(
  options: Pick<CallerOptions, 'budget' | 'secretId'>,
  read: () => Promise<T>,
  source = { service: 'Secrets Manager', what: `secret ${options.secretId}` },
): Promise<T> {
  return withinBudget(
    read(),
    options.budget,
    () =>
      new DependencyUnavailableError(
        `${source.service} did not answer in the invocation's time left reading ${source.what}`,
      ),
  );
}

function rejectedForGood(secretId: string): GateState {
  const problem = new ConfigurationError(
    `CallFire rejected the API credentials in secret ${secretId} (HTTP 401), also after reading the secret again: check the username and password`,
  );
  return {
    kind: 'stopped',
    rejected: new CallFireError(
      'CREDENTIALS_REJECTED',
      'CallFire rejected the API credentials (HTTP 401)',
      false,
      { cause: problem },
    ),
    unsent: notSent(problem),
  };
}

/**
 * The fresh read failed. Secrets Manager being down may pass (retryable, and the request as a
 * whole is not a configuration problem); a secret now missing or malformed will not.
 */
function unreadable(error: unknown, secretId: string): GateState {
  const passing = error instanceof DependencyUnavailableError;
  const problem = passing
    ? undefined
    : error instanceof ConfigurationError
      ? error
      : new ConfigurationError(`Reading secret ${secretId} again failed`);
  const reason = error instanceof Error ? error.message : 'unknown error';
  const failure = new CallFireError(
    'CREDENTIALS_REJECTED',
    `CallFire rejected the API credentials (HTTP 401) and reading the secret again failed: ${reason}`,
    passing,
    problem ? { cause: problem } : {},
  );
  return { kind: 'stopped', rejected: failure, unsent: failure };
}

function withCause(error: CallFireError, cause: Error): CallFireError {
  if (error.cause === cause) return error;
  return new CallFireError(error.code, error.message, error.retryable, { cause });
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
