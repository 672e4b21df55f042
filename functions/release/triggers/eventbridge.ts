import type { EventBridgeEvent } from 'aws-lambda';
import { InvalidRequestError, RequestExpiredError } from '../errors';
import { parseReleaseRequest, type ReleaseRequest } from '../request';
import type { ReleaseResult } from '../result';
import { answerInvocation } from './invocation-answer';
import { isRecord, type Trigger } from './trigger';

type Envelope = EventBridgeEvent<string, unknown>;

/**
 * An EventBridge envelope: a bus event (the stack's rule matches `callfire.release` / `Release
 * Requested`) or a scheduled rule's "Scheduled Event". The request is its `detail`.
 */
export const eventBridgeTrigger: Trigger<Envelope> = {
  recognise: isEventBridgeEnvelope,

  async serve(event, invocation): Promise<ReleaseResult> {
    const origin = describeEnvelope(event);
    invocation.tag({ trigger: 'eventbridge', origin });
    try {
      checkAge(event, invocation.config?.maxEventAgeSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS);
      const request = parseDetail(event.detail, origin);
      return answerInvocation(await invocation.release(request, Number.POSITIVE_INFINITY));
    } catch (error) {
      invocation.logFailure(error);
      throw error;
    }
  },
};

/**
 * `detail-type`, `source` and `detail` together. A release request cannot carry them, since it
 * rejects unknown fields, so a constant-input rule or a direct invocation is never mistaken for an
 * envelope.
 */
export function isEventBridgeEnvelope(event: unknown): event is Envelope {
  return (
    isRecord(event) &&
    typeof event['detail-type'] === 'string' &&
    typeof event.source === 'string' &&
    'detail' in event
  );
}

const DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;

/**
 * Refuses an event older than the limit, by its `time`: a replay from the failure queue days later
 * must not turn off auto-renew on a number someone has since taken back into use. (To replay on
 * purpose, send the request, not the old event.)
 */
function checkAge(event: Envelope, maxAgeSeconds: number, now = Date.now()): void {
  const time = Date.parse(event.time);
  if (Number.isNaN(time)) return;
  const ageSeconds = Math.floor((now - time) / 1000);
  if (ageSeconds <= maxAgeSeconds) return;
  throw new RequestExpiredError(
    `The event is ${ageSeconds} s old (time ${event.time}), more than MAX_EVENT_AGE_SECONDS (${maxAgeSeconds} s): nothing was released; to replay it on purpose, send its release request again`,
  );
}

/** Describes the envelope for logs and for the error when its detail is not a request. */
export function describeEnvelope(event: Envelope): string {
  const scheduled = event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event';
  return scheduled
    ? `scheduled event from ${event.resources?.[0] ?? 'a rule'} (a scheduled rule must give the request as the target's constant Input)`
    : `event ${event.source} / ${event['detail-type']}`;
}

/** Validates the detail; issues point into `detail` and name the event. */
function parseDetail(detail: unknown, origin: string): ReleaseRequest {
  try {
    return parseReleaseRequest(detail);
  } catch (error) {
    throw error instanceof InvalidRequestError ? error.from(origin, 'detail') : error;
  }
}
