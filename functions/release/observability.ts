import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditLog } from './audit-log';
import type { ReleaseObserver } from './callfire-caller';
import { identityOf } from './result';

/**
 * Per-invocation observer: one audit log line per item (audit-log.ts), EMF metrics for the run.
 *
 * The log lines are the audit trail of who released what: the logger already carries the request
 * id, the trigger and the caller (appended by the trigger), each line adds the item and how it
 * ended. Permanent failures are errors (someone must act), retryable ones warnings (a retry follows).
 * Dry runs release nothing: counting their look-ups as releases or failures would skew alarms.
 */
export function createInvocationObserver(
  audit: AuditLog,
  logger: Logger,
  metrics: Metrics,
): ReleaseObserver & { publish(): void } {
  let released = 0;
  let skipped = 0;
  /** Whether any item of the invocation was a real release (not a dry run). */
  let releasing = false;
  const failedByCode = new Map<string, number>();

  return {
    call({ operation, latencyMs, ok }) {
      metrics.addMetric('CallFireLatency', MetricUnit.Milliseconds, latencyMs);
      if (!ok) logger.debug('CallFire call failed', { operation, latencyMs });
    },
    item({ result, attempts, latencyMs, dryRun }) {
      if (!dryRun) releasing = true;
      const line = {
        item: identityOf(result),
        outcome: result.outcome,
        ...(result.reason ? { reason: result.reason } : {}),
        ...(result.verified ? { verified: true } : {}),
        dryRun,
        attempts,
        latencyMs,
      };
      if (result.outcome !== 'failed' || !result.error) {
        if (result.outcome === 'released') released++;
        if (result.outcome === 'skipped' && !dryRun) skipped++;
        audit.write('INFO', `item ${result.outcome}`, line);
        return;
      }
      const { code, retryable, message } = result.error;
      if (!dryRun) failedByCode.set(code, (failedByCode.get(code) ?? 0) + 1);
      const failure = { ...line, errorCode: code, retryable, errorMessage: message };
      if (retryable) audit.write('WARN', 'item failed (retryable)', failure);
      else audit.write('ERROR', 'item failed', failure);
    },
    publish() {
      if (releasing) {
        metrics.addMetric('Released', MetricUnit.Count, released);
        metrics.addMetric('Skipped', MetricUnit.Count, skipped);
        metrics.addMetric(
          'Failed',
          MetricUnit.Count,
          [...failedByCode.values()].reduce((a, b) => a + b, 0),
        );
        for (const [code, count] of failedByCode) {
          metrics
            .singleMetric()
            .addDimension('ErrorCode', code)
            .addMetric('Failed', MetricUnit.Count, count);
        }
      }
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
