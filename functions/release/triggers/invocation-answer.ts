import { ReleaseIncompleteError } from '../errors';
import { describeItem, type ReleaseResult, retryableFailures } from '../result';

/**
 * What a direct or asynchronous invocation gets: the result, unless some items failed in a way
 * that may pass; then an error whose name Step Functions Retry/Catch and Lambda's retries and
 * on-failure destination act on (releasing again is harmless).
 *
 * @throws ReleaseIncompleteError listing the items still to do and their codes
 */
export function answerInvocation(result: ReleaseResult): ReleaseResult {
  const pending = retryableFailures(result);
  if (pending.length === 0) return result;
  const items = pending.map((item) => `${describeItem(item)} ${item.error?.code}`).join(', ');
  throw new ReleaseIncompleteError(
    `${pending.length} of ${result.results.length} items not done yet, retry the request: ${items}`,
  );
}
