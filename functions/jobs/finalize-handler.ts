import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { invocationLogger, logFailure } from '../lambda/invocation-log';
import { ConfigurationError } from '../release/errors';
import type { FilesConfig } from './config';
import { finalizeJob } from './finalize';
import { budgetSignal } from './invocation';
import type { FinalizeOutput } from './job-contract';
import type { JobFiles } from './ports';

/** The adapter, built per invocation around its time budget (the client is shared). */
export interface FinalizeWiring {
  config: FilesConfig;
  files(signal: AbortSignal): JobFiles;
}

export interface FinalizeDeps {
  wiring: FinalizeWiring | ConfigurationError;
  logger: Logger;
  now?: () => Date;
}

/**
 * The Lambda handler of the state machine's Finalize step. It answers with `{ counts }` (the
 * execution's output) or fails with a named error (JobResultsError, ConfigurationError,
 * DependencyUnavailableError), which fails the execution.
 */
export function createFinalizeHandler(deps: FinalizeDeps) {
  return async function finalize(event: unknown, context: Context): Promise<FinalizeOutput> {
    const { logger } = invocationLogger(deps.logger, context);
    const jobId = (event as { jobId?: unknown } | null)?.jobId;
    logger.appendKeys({ trigger: 'finalize', ...(typeof jobId === 'string' && { jobId }) });
    try {
      if (deps.wiring instanceof ConfigurationError) throw deps.wiring;
      // The function's whole time but 5 s, to log and answer.
      const files = deps.wiring.files(budgetSignal(context, Number.POSITIVE_INFINITY, 5_000));
      const { output, summary } = await finalizeJob(event, {
        files,
        jobsBucket: deps.wiring.config.jobsBucket,
        ...(deps.now && { now: deps.now }),
      });
      logger.info('job finalized', {
        counts: summary.counts,
        batches: summary.batches,
        notProcessed: summary.notProcessed,
      });
      return output;
    } catch (error) {
      logFailure(logger, error);
      throw error;
    }
  };
}
