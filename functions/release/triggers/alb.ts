import type { ALBEvent } from 'aws-lambda';
import { UnsupportedTriggerError } from '../errors';
import { errorResponse } from './http-answer';
import { isRecord, type Trigger } from './trigger';

/**
 * Application Load Balancer: recognised so that it gets a clear HTTP 501 rather than being read
 * as a direct invocation. It is not a supported way in: it has no IAM authorisation.
 */
export const albTrigger: Trigger<ALBEvent> = {
  /** The only HTTP event whose `requestContext` holds `elb`. */
  recognise: (event): event is ALBEvent =>
    isRecord(event) && isRecord(event.requestContext) && 'elb' in event.requestContext,

  async serve(_event, invocation) {
    invocation.tag({ trigger: 'alb' });
    const error = new UnsupportedTriggerError(
      'Application Load Balancer is not a supported trigger: use the HTTP API route POST /releases',
    );
    invocation.logFailure(error);
    // ALB needs a statusDescription of its own; API Gateway's payloads have none.
    return {
      ...errorResponse(error, invocation.context.awsRequestId),
      statusDescription: '501 Not Implemented',
    };
  },
};
