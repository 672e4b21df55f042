import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { InvalidRequestError } from '../errors';
import type { Invocation } from '../invocation';
import { type ReleaseSession, releaseInSession } from '../release';
import { parseReleaseRequest, type ReleaseRequest } from '../request';
import { answerInvocation } from './invocation-answer';
import { isRecord, type Trigger } from './trigger';

/**
 * The release requests queue: each message body is one release request. Answers with a partial
 * batch response (`ReportBatchItemFailures`): a record that is invalid, or still has retryable
 * failures, is reported so that SQS redelivers it (and in the end dead-letters it); a record whose
 * items all ended (released, or failed for good) is not. The records share one session, so that
 * together they stay within `RELEASE_CONCURRENCY` and read the secret once.
 */
export const sqsTrigger: Trigger<SQSEvent> = {
  /** SQS is the only `Records` source whose records say `eventSource: "aws:sqs"`. */
  recognise: (event): event is SQSEvent =>
    isRecord(event) &&
    Array.isArray(event.Records) &&
    event.Records.length > 0 &&
    event.Records.every((record) => isRecord(record) && record.eventSource === 'aws:sqs'),

  async serve(event, invocation): Promise<SQSBatchResponse> {
    invocation.tag({ trigger: 'sqs', origin: event.Records[0]?.eventSourceARN });
    let opened: Awaited<ReturnType<Invocation['open']>>;
    try {
      opened = await invocation.open(Number.POSITIVE_INFINITY);
    } catch (error) {
      // Without credentials no record can be done: the whole batch goes back to the queue.
      invocation.logFailure(error);
      throw error;
    }
    try {
      const processor = isFifo(event)
        ? new SqsFifoPartialProcessorAsync()
        : new BatchProcessor(EventType.SQS);
      const release = (record: SQSRecord) => releaseRecord(record, opened.session, invocation);
      return await processPartialResponse(event, release, processor, {
        context: invocation.context,
        // All records failing is still an answer record by record, not an invocation error.
        throwOnFullBatchFailure: false,
      });
    } finally {
      opened.close();
    }
  },
};

async function releaseRecord(
  record: SQSRecord,
  session: ReleaseSession,
  invocation: Invocation,
): Promise<void> {
  try {
    answerInvocation(await releaseInSession(parseMessage(record), session));
  } catch (error) {
    invocation.logFailure(error, { messageId: record.messageId });
    throw error;
  }
}

function parseMessage(record: SQSRecord): ReleaseRequest {
  const source = `SQS message ${record.messageId}`;
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new InvalidRequestError([{ path: '', message: 'the message body is not valid JSON' }], {
      source,
    });
  }
  try {
    return parseReleaseRequest(body);
  } catch (error) {
    throw error instanceof InvalidRequestError ? error.from(source) : error;
  }
}

/** A FIFO queue's records carry a MessageGroupId: they are processed in order, a group stopping at its first failure. */
function isFifo(event: SQSEvent): boolean {
  return event.Records.some((record) => record.attributes?.MessageGroupId !== undefined);
}
