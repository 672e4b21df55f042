import { getXRayTraceIdFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { type Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/** The service name on every line: POWERTOOLS_SERVICE_NAME, as Powertools reads it, or ours. */
export function serviceName(): string {
  return process.env.POWERTOOLS_SERVICE_NAME || 'callfire-release';
}

type Level = 'INFO' | 'WARN' | 'ERROR';

/** One invocation's audit trail: a line per item, and the keys (trigger, caller) every line carries. */
export interface AuditLog {
  /** Adds keys to this line and every later one, the logger's included (its `appendKeys`). */
  tag(keys: Record<string, unknown>): void;
  write(level: Level, message: string, fields: Record<string, unknown>): void;
}

/**
 * The item lines, written as Powertools Logger writes its own lines (the same keys, in the same
 * order, at the logger's level) but at a fraction of the cost: one `JSON.stringify` of a prepared
 * object and one write, where Logger merges attribute stores, deep-merges a LogItem, serializes
 * through a replacer and writes through a Console (~40 µs a line, a fifth of a release's CPU:
 * bench/README.md). A request of 100 items writes 100 of them; every other line (one or two per
 * invocation) is Logger's. test/unit/audit-log.test.ts holds the two formats side by side.
 *
 * Only the timestamp differs where TZ names a zone other than UTC (Lambda's default is UTC):
 * these lines keep UTC where Logger would print the local offset.
 */
export function createAuditLog(
  logger: Logger,
  context: Context,
  coldStart: boolean,
  print: (line: string) => void = (line) => process.stdout.write(line),
): AuditLog {
  // What Logger's PowertoolsLogFormatter puts after level, message and timestamp, from the same
  // sources (addContext's fields, the sample rate, the X-Ray trace of this invocation).
  const base: Record<string, unknown> = withoutEmpty({
    service: serviceName(),
    // As Logger: only an on-demand environment has cold starts (provisioned concurrency has none).
    cold_start: coldStart && process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === 'on-demand',
    function_arn: context.invokedFunctionArn,
    function_memory_size: context.memoryLimitInMB,
    function_name: context.functionName,
    function_request_id: context.awsRequestId,
    sampling_rate: Number(process.env.POWERTOOLS_LOGGER_SAMPLE_RATE) || 0,
    xray_trace_id: getXRayTraceIdFromEnv(),
    tenant_id: (context as { tenantId?: string }).tenantId,
  });
  // The level cannot change within an invocation; Logger's getter reads the environment each time.
  const threshold = logger.level;
  return {
    tag(keys) {
      logger.appendKeys(keys);
      Object.assign(base, withoutEmpty(keys));
    },
    write(level, message, fields) {
      if (threshold > LogLevelThreshold[level]) return;
      const line = { level, message, timestamp: new Date().toISOString(), ...base, ...fields };
      print(`${JSON.stringify(line)}\n`);
    },
  };
}

/** Logger drops keys whose value is undefined, null or an empty string; so do these lines. */
function withoutEmpty(attributes: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== '') kept[key] = value;
  }
  return kept;
}
