/**
 * The results file as the CLI writes it, in the format of bulk jobs' results.csv
 * (functions/jobs/results-csv.ts): read back by `--resume`, and accepted as input (its number,
 * keyword and shortCode columns).
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  csvLine,
  RESULTS_COLUMNS,
  type ResultRow,
  rowOfResult,
  rowValues,
} from '../functions/jobs/results-csv';
import { normalizeNumber } from '../functions/release/request';
import type { ReleaseResult } from '../functions/release/result';
import { usageError } from './errors';
import type { Item } from './input';

export type { ResultRow } from '../functions/jobs/results-csv';
export { csvLine, toCsv } from '../functions/jobs/results-csv';

/** The rows of a release answer, in its order. */
export function rowsOfResult(result: ReleaseResult): ResultRow[] {
  return result.results.map(rowOfResult);
}

/** `failed` rows for items that got no item-level answer (an HTTP failure, never sent). */
export function failedRows(
  items: readonly Item[],
  failure: { code: string; message: string; retryable: boolean },
): ResultRow[] {
  return items.map((item) => ({
    ...item,
    outcome: 'failed',
    errorCode: failure.code,
    errorMessage: failure.message,
    retryable: failure.retryable,
  }));
}

/**
 * A results file written as the run goes, rows appended as they come. Whether it can be written
 * is checked at once (before anything is sent), but it is only created (or replaced) with the
 * first rows: a run stopped before sending anything leaves an earlier file as it was.
 */
export class ResultsFile {
  readonly path: string;
  #fd: number | undefined;

  /** @throws CliError (exit 2) when `path` cannot be written */
  constructor(path: string) {
    this.path = path;
    try {
      if (existsSync(path)) {
        if (!statSync(path).isFile()) throw Object.assign(new Error(), { code: 'not a file' });
        accessSync(path, constants.W_OK);
      } else {
        accessSync(dirname(path), constants.W_OK);
      }
    } catch (error) {
      throw usageError(`cannot write ${path} (${(error as NodeJS.ErrnoException).code})`);
    }
  }

  append(rows: readonly ResultRow[]): void {
    if (this.#fd === undefined) {
      this.#fd = openSync(this.path, 'w');
      writeSync(this.#fd, csvLine(RESULTS_COLUMNS));
    }
    if (rows.length > 0) writeSync(this.#fd, rows.map((row) => csvLine(rowValues(row))).join(''));
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
  }
}

/**
 * What a previous results file says is done: the rows `released` or `skipped` (a dry run's
 * `wouldRelease` is not done), numbers normalised as the input's are.
 */
export class DoneItems {
  readonly #numbers = new Map<string, ResultRow>();
  /** Keyword (upper-cased) → short code ('' when none) → row. */
  readonly #keywords = new Map<string, Map<string, ResultRow>>();

  add(row: ResultRow): void {
    if (row.outcome !== 'released' && row.outcome !== 'skipped') return;
    const number = row.kind === 'number' && row.number ? normalizeNumber(row.number) : undefined;
    if (number) this.#numbers.set(number, { ...row, number });
    if (row.kind === 'keyword' && row.keyword) {
      const word = row.keyword.toUpperCase();
      const codes = this.#keywords.get(word) ?? new Map<string, ResultRow>();
      codes.set(row.shortCode ?? '', row);
      this.#keywords.set(word, codes);
    }
  }

  /**
   * The rows that show `item` done; empty when it is not. A keyword given without a short code is
   * done when the file shows it done on any (the release resolved it to the account's one).
   */
  rowsFor(item: Item): ResultRow[] {
    if (item.kind === 'number') {
      const row = this.#numbers.get(item.number);
      return row ? [row] : [];
    }
    const codes = this.#keywords.get(item.keyword.toUpperCase());
    if (!codes) return [];
    if (item.shortCode === undefined) return [...codes.values()];
    const row = codes.get(item.shortCode);
    return row ? [row] : [];
  }
}

/**
 * Reads a results file for `--resume`.
 *
 * @throws CliError (exit 2) when it cannot be read or is not a results file
 */
export function readDoneItems(path: string): DoneItems {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`--resume: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
  let records: Array<Record<string, string>>;
  try {
    records = parse(text, {
      bom: true,
      columns: true,
      relax_column_count: true,
      skip_empty_lines: true,
    });
  } catch (error) {
    throw usageError(`--resume: ${path} is not a readable CSV file (${(error as Error).message})`);
  }
  const done = new DoneItems();
  if (
    records.length > 0 &&
    !('outcome' in (records[0] as object) && 'kind' in (records[0] as object))
  ) {
    throw usageError(`--resume: ${path} is not a results file (no kind and outcome columns)`);
  }
  for (const record of records) {
    const { outcome } = record;
    // Only what is done counts; a row that failed or would release is sent again.
    if (outcome !== 'released' && outcome !== 'skipped') continue;
    const kind = record.kind === 'keyword' ? 'keyword' : 'number';
    done.add({
      kind,
      ...(record.number && { number: record.number }),
      ...(record.keyword && { keyword: record.keyword }),
      ...(record.shortCode && { shortCode: record.shortCode }),
      outcome,
      ...(record.reason && { reason: record.reason }),
      ...(record.errorCode && { errorCode: record.errorCode }),
      ...(record.errorMessage && { errorMessage: record.errorMessage }),
      ...(record.retryable && { retryable: record.retryable === 'true' }),
    });
  }
  return done;
}
