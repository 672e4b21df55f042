/**
 * Event sources this function is not wired for yet. They are recognised so they get a clear
 * refusal instead of being read as a direct invocation (whose validator would only list their
 * fields as unknown).
 */

/** SQS batches: `Records` whose `eventSource` is `aws:sqs` (SQS fan-out is a later addition). */
export function isSqsEvent(event: unknown): boolean {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.some((record) => (record as { eventSource?: unknown })?.eventSource === 'aws:sqs')
  );
}

/** Any other `Records` batch (SNS, S3, DynamoDB streams...). */
export function isRecordsBatch(event: unknown): boolean {
  return Array.isArray((event as { Records?: unknown } | null)?.Records);
}

/** Application Load Balancer: the only HTTP event whose `requestContext` holds `elb`. */
export function isAlbEvent(event: unknown): boolean {
  const context = (event as { requestContext?: unknown } | null)?.requestContext;
  return typeof context === 'object' && context !== null && 'elb' in context;
}
