import type { EventBridgeEvent } from 'aws-lambda';

/** The source and detail-type the stack's rule matches on (see infra/). */
export const RELEASE_EVENT = {
  source: 'callfire.release',
  detailType: 'Release Requested',
} as const;

/**
 * An EventBridge envelope (a bus event or a scheduled rule's "Scheduled Event"): `detail-type`,
 * `source` and `detail` together. A release request cannot carry them, since it rejects unknown
 * fields, so a constant-input rule or a direct invocation is never mistaken for an envelope.
 */
export function isEventBridgeEnvelope(event: unknown): event is EventBridgeEvent<string, unknown> {
  const candidate = event as Record<string, unknown> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate['detail-type'] === 'string' &&
    typeof candidate.source === 'string' &&
    'detail' in candidate
  );
}

/** Describes the envelope for logs and for the error when its detail is not a request. */
export function describeEnvelope(event: EventBridgeEvent<string, unknown>): string {
  const scheduled = event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event';
  return scheduled
    ? `scheduled event from ${event.resources?.[0] ?? 'a rule'} (a scheduled rule must give the request as the target's constant Input)`
    : `event ${event.source} / ${event['detail-type']}`;
}
