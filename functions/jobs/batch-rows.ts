/**
 * From ResultWriter's records of the child executions (one per batch) to one row per item. Pure.
 *
 * - A SUCCEEDED batch's Output is the release function's result: each of the batch's items gets
 *   the row of its result (a keyword's in the account's spelling, on its short code); or it is
 *   `{ stopped: true }`: the job was stopped before the batch ran, its items JOB_STOPPED.
 * - Any other batch (FAILED, TIMED_OUT, ABORTED) failed in a way the release function did not
 *   report as outcomes: its items BATCH_FAILED, with the error's name only (its Cause may hold
 *   anything, request data included).
 * - An item in no batch at all (its batch never ran, or left no record) is NOT_PROCESSED.
 * All three are retryable: releasing again is harmless.
 */
import type { ItemResult, KeywordResult } from '../release/result';
import { type ChildExecutionRecord, type JobItem, parseExecutionJson } from './job-contract';
import { itemKey } from './job-items';
import { type ResultRow, rowOfResult } from './results-csv';

const JOB_STOPPED_MESSAGE = 'the job was stopped before this batch ran; nothing was sent';
const NOT_PROCESSED_MESSAGE =
  'the job ended without a result for this item (its batch never ran, or left no result): run it again, releasing twice is harmless';

/** The rows of the batches read so far, by item. */
export class BatchRows {
  private readonly rows = new Map<string, ResultRow>();
  readonly batches = { succeeded: 0, stopped: 0, failed: 0 };

  /** Adds the rows of one child execution record. */
  add(record: ChildExecutionRecord): void {
    const items = batchItems(record.Input);
    if (record.Status !== 'SUCCEEDED') {
      this.batches.failed++;
      const message = `the batch failed (${recordErrorName(record)}): run its items again, releasing twice is harmless`;
      // A redriven batch can have a failed record beside its successful one: the success wins.
      for (const item of items) this.set(item, failedRow(item, 'BATCH_FAILED', message), false);
      return;
    }
    const output = parseExecutionJson(record.Output) as
      | { stopped?: unknown; results?: unknown }
      | undefined;
    if (output?.stopped === true) {
      this.batches.stopped++;
      for (const item of items) {
        this.set(item, failedRow(item, 'JOB_STOPPED', JOB_STOPPED_MESSAGE), true);
      }
      return;
    }
    this.batches.succeeded++;
    const results = Array.isArray(output?.results) ? (output.results as ItemResult[]) : [];
    for (const item of items) {
      const result = resultOf(item, results);
      const row = result
        ? rowOfResult(result)
        : failedRow(item, 'NOT_PROCESSED', NOT_PROCESSED_MESSAGE);
      this.set(item, row, true);
    }
  }

  /** One row per item of the items file, in its order; `notProcessed` counts those no batch had. */
  rowsFor(items: readonly JobItem[]): { rows: ResultRow[]; notProcessed: number } {
    let notProcessed = 0;
    const rows = items.map((item) => {
      const row = this.rows.get(itemKey(item));
      if (row) return row;
      notProcessed++;
      return failedRow(item, 'NOT_PROCESSED', NOT_PROCESSED_MESSAGE);
    });
    return { rows, notProcessed };
  }

  private set(item: JobItem, row: ResultRow, replace: boolean): void {
    const key = itemKey(item);
    if (replace || !this.rows.has(key)) this.rows.set(key, row);
  }
}

/** The batch's items from its Input (`{ Items, BatchInput }`, a JSON string); none if unreadable. */
function batchItems(input: string | undefined): JobItem[] {
  const parsed = parseExecutionJson(input) as { Items?: unknown } | undefined;
  if (!Array.isArray(parsed?.Items)) return [];
  return parsed.Items.filter(
    (item): item is JobItem =>
      typeof item === 'object' &&
      item !== null &&
      (typeof (item as { number?: unknown }).number === 'string' ||
        typeof (item as { keyword?: unknown }).keyword === 'string'),
  );
}

/**
 * The result row of an item: a number by its digits; a keyword case-insensitively, on the short
 * code the item names. An item without one takes the row left without one (an unresolved
 * keyword), else the row its keyword resolved to: two entries the release merged share that row.
 */
function resultOf(item: JobItem, results: readonly ItemResult[]): ItemResult | undefined {
  if ('number' in item) {
    return results.find((result) => result.kind === 'number' && result.number === item.number);
  }
  const word = item.keyword.toUpperCase();
  const candidates = results.filter(
    (result): result is KeywordResult =>
      result.kind === 'keyword' &&
      typeof result.keyword === 'string' &&
      result.keyword.toUpperCase() === word &&
      (item.shortCode === undefined || result.shortCode === item.shortCode),
  );
  return candidates.find((result) => result.shortCode === item.shortCode) ?? candidates[0];
}

function failedRow(item: JobItem, errorCode: string, errorMessage: string): ResultRow {
  const identity: Pick<ResultRow, 'kind' | 'number' | 'keyword' | 'shortCode'> =
    'number' in item
      ? { kind: 'number', number: item.number }
      : {
          kind: 'keyword',
          keyword: item.keyword,
          ...(item.shortCode !== undefined && { shortCode: item.shortCode }),
        };
  return { ...identity, outcome: 'failed', errorCode, errorMessage, retryable: true };
}

/** The record's error name (never its Cause), kept short and printable; its status otherwise. */
function recordErrorName(record: ChildExecutionRecord): string {
  const name =
    typeof record.Error === 'string' && record.Error !== '' ? record.Error : record.Status;
  return String(name)
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);
}
