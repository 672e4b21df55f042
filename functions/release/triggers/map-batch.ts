import { InvalidRequestError, type RequestIssue } from '../errors';
import { parseReleaseRequest, type ReleaseRequest } from '../request';
import type { ReleaseResult } from '../result';
import { answerInvocation } from './invocation-answer';
import { isRecord, type Trigger } from './trigger';

/**
 * A batch of a bulk release job: Step Functions Distributed Map with an ItemBatcher hands the
 * release function `{ Items, BatchInput }`, the items as the job's JSON file has them
 * (`{ "number" }` or `{ "keyword", "shortCode"? }`, CSV columns read alike: an empty column is
 * absent) and the job's settings. `Final` marks the last try (the job's Settle step).
 */
export interface MapBatchEvent {
  Items: unknown[];
  BatchInput: Record<string, unknown>;
  Final?: boolean;
}

const SETTINGS = ['dryRun', 'confirmKeywordRelease', 'skipConfigured', 'notAfter'] as const;

/**
 * Answers with the batch's result, one row per item. While items fail in a way that may pass it
 * throws ReleaseIncompleteError, so that the job's Retry tries the batch again with backoff; on
 * the `Final` try it answers with those failures as outcomes: a job's item failures are rows of
 * its results file, never a failed Map.
 */
export const mapBatchTrigger: Trigger<MapBatchEvent> = {
  /** `Items` and `BatchInput` together are what an ItemBatcher sends, and no other source. */
  recognise: (event): event is MapBatchEvent =>
    isRecord(event) && Array.isArray(event.Items) && isRecord(event.BatchInput),

  async serve(event, invocation): Promise<ReleaseResult> {
    const jobId = typeof event.BatchInput.jobId === 'string' ? event.BatchInput.jobId : undefined;
    invocation.tag({ trigger: 'map-batch', ...(jobId ? { jobId } : {}) });
    try {
      const result = await invocation.release(batchRequest(event), Number.POSITIVE_INFINITY);
      return event.Final === true ? result : answerInvocation(result);
    } catch (error) {
      invocation.logFailure(error);
      throw error;
    }
  },
};

/** The batch as a release request; problems point at `Items[i]` and `BatchInput.x`. */
function batchRequest(event: MapBatchEvent): ReleaseRequest {
  const numbers: string[] = [];
  const keywords: Array<string | { keyword: string; shortCode: string }> = [];
  const issues: RequestIssue[] = [];
  event.Items.forEach((item, index) => {
    const { number, keyword, shortCode } = isRecord(item) ? item : {};
    const has = (value: unknown) => typeof value === 'string' && value.trim() !== '';
    if (has(number) && !has(keyword) && !has(shortCode)) numbers.push((number as string).trim());
    else if (has(keyword) && !has(number)) {
      const word = (keyword as string).trim();
      keywords.push(
        has(shortCode) ? { keyword: word, shortCode: (shortCode as string).trim() } : word,
      );
    } else {
      issues.push({
        path: `Items[${index}]`,
        message: 'must be { "number" } or { "keyword", "shortCode"? }',
      });
    }
  });
  if (issues.length > 0) throw new InvalidRequestError(issues, { source: 'a job batch' });
  const settings = Object.fromEntries(
    SETTINGS.filter((name) => name in event.BatchInput).map((name) => [
      name,
      event.BatchInput[name],
    ]),
  );
  try {
    return parseReleaseRequest({ numbers, keywords, ...settings });
  } catch (error) {
    throw error instanceof InvalidRequestError ? error.from('a job batch') : error;
  }
}
