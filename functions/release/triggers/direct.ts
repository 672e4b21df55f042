import type { Invocation } from '../invocation';
import { parseReleaseRequest } from '../request';
import type { ReleaseResult } from '../result';
import { answerInvocation } from './invocation-answer';
import type { Trigger } from './trigger';

/**
 * A direct invocation (SDK, CLI, Step Functions `lambda:invoke`), an EventBridge rule with a
 * constant Input, or an EventBridge Scheduler schedule: all deliver the release request itself.
 * Tried last, so it takes whatever no other trigger recognised; the validator then names any
 * field that is not part of a request.
 */
export const directTrigger: Trigger<unknown> = {
  recognise: (_event): _event is unknown => true,

  async serve(event, invocation: Invocation): Promise<ReleaseResult> {
    invocation.tag({ trigger: 'direct', origin: 'payload' });
    try {
      const request = parseReleaseRequest(event);
      return answerInvocation(await invocation.release(request, Number.POSITIVE_INFINITY));
    } catch (error) {
      invocation.logFailure(error);
      throw error;
    }
  },
};
