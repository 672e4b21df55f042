import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { invocationLogger, logFailure, SAFETY_MARGIN_MS } from '../lambda/invocation-log';
import { createAuditLog } from './audit-log';
import type { NumberService } from './callfire/number-service';
import type { Config } from './config';
import type { CredentialsSource } from './credentials/secret-credentials';
import { ConfigurationError } from './errors';
import { createInvocationObserver } from './observability';
import type { ProtectedItemsSource } from './protection/protected-items-source';
import { openSession, type ReleaseSession, releaseInSession } from './release';
import type { ReleaseRequest } from './request';
import type { ReleaseResult } from './result';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';

/** The adapters, built once per container from the checked settings. */
export interface Wiring {
  config: Config;
  /** The CallFire client, being built since init; awaited by each invocation. */
  numberService: Promise<NumberService>;
  credentials: CredentialsSource;
  /** What must never be released (nothing when no parameter is configured). */
  protectedItems: ProtectedItemsSource;
}

/** Everything the handler needs, wired once per container by handler.ts (or by a test). */
export interface HandlerDeps {
  /** The adapters, or why the settings are wrong (reported on every invocation, not only in the init log). */
  wiring: Wiring | ConfigurationError;
  logger: Logger;
  metrics: Metrics;
  retry?: Partial<RetryPolicy>;
}

/** What a trigger gets for one invocation: its context, its own logger, and the release core. */
export interface Invocation {
  readonly context: Context;
  /** The checked settings, or undefined when they are wrong (then every release fails naming why). */
  readonly config: Config | undefined;
  /** This invocation's logger: its keys (request id, trigger, caller) are on every line it writes. */
  readonly logger: Logger;
  /** Adds keys (the trigger, the caller) to every later line: the logger's and the item lines. */
  tag(keys: Record<string, unknown>): void;
  /** Opens a release session with the invocation's remaining time, capped at `budgetCapMs`. */
  open(budgetCapMs: number): Promise<{ session: ReleaseSession; close(): void }>;
  /** Releases one request in a session of its own. */
  release(request: ReleaseRequest, budgetCapMs: number): Promise<ReleaseResult>;
  /**
   * Logs a failure the same way for every trigger: a refusal (4xx) as a warning, anything else as
   * an error; `about` adds what the failure concerns (an SQS message id).
   */
  logFailure(error: unknown, about?: Record<string, string>): void;
}

/** Starts an invocation: a child logger carrying its context, and the release core wired to it. */
export function startInvocation(deps: HandlerDeps, context: Context): Invocation {
  const { logger, first } = invocationLogger(deps.logger, context);
  const audit = createAuditLog(logger, context, first);

  async function open(budgetCapMs: number) {
    if (deps.wiring instanceof ConfigurationError) throw deps.wiring;
    const { config, credentials, numberService, protectedItems } = deps.wiring;
    const observer = createInvocationObserver(audit, logger, deps.metrics);
    const opened = await openSession(
      { numberService: await numberService, credentials, protectedItems, observer },
      {
        budgetMs: Math.min(budgetCapMs, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS),
        concurrency: config.concurrency,
        retry: { ...DEFAULT_RETRY_POLICY, callTimeoutMs: config.callTimeoutMs, ...deps.retry },
        secretId: config.secretId,
      },
    ).catch((error: unknown) => {
      observer.publish();
      throw error;
    });
    return {
      session: opened.session,
      close: () => {
        opened.close();
        observer.publish();
      },
    };
  }

  return {
    context,
    config: deps.wiring instanceof ConfigurationError ? undefined : deps.wiring.config,
    logger,
    tag: audit.tag,
    open,
    async release(request, budgetCapMs) {
      const { session, close } = await open(budgetCapMs);
      try {
        return await releaseInSession(request, session);
      } finally {
        close();
      }
    },
    logFailure: (error, about) => logFailure(logger, error, about),
  };
}
