import { UnsupportedTriggerError } from '../errors';
import type { Trigger } from './trigger';

/**
 * `Records` batches of other sources (SNS, S3, DynamoDB and Kinesis streams): refused by name
 * rather than read as a direct invocation (whose validator would only list their fields as unknown).
 */
export const recordsTrigger: Trigger<{ Records: unknown[] }> = {
  /** Every batch source wraps its events in a `Records` array; a release request has no such field. */
  recognise: (event): event is { Records: unknown[] } =>
    Array.isArray((event as { Records?: unknown } | null)?.Records),

  async serve(_event, invocation) {
    invocation.tag({ trigger: 'records' });
    const error = new UnsupportedTriggerError(
      'Records batches (SNS, S3, streams) are not a supported trigger: use the release requests queue (SQS), an EventBridge event or a direct invocation',
    );
    invocation.logFailure(error);
    throw error;
  },
};
