/**
 * The results file's format, the one home of it: a job's results.csv and the operators' CLI's
 * results file (cli/results-csv.ts) are both written with it, so either can be filtered and sent
 * back as a job's source. One row per item, RFC 4180 (CRLF line ends; a field holding a comma, a
 * quote or a line break is quoted, its quotes doubled).
 */
import { type ItemOutcome, type ItemResult, identityOf } from '../release/result';

/** One row of results.csv. */
export interface ResultRow {
  kind: 'number' | 'keyword';
  number?: string;
  keyword?: string;
  shortCode?: string;
  outcome: ItemOutcome;
  /** Why a `skipped` item was not sent (PROTECTED, CONFIGURED, ALREADY_RELEASED). */
  reason?: string;
  errorCode?: string;
  errorMessage?: string;
  retryable?: boolean;
}

export const RESULTS_COLUMNS = [
  'kind',
  'number',
  'keyword',
  'shortCode',
  'outcome',
  'reason',
  'errorCode',
  'errorMessage',
  'retryable',
] as const;

/** The row of one item's result (a keyword in the account's spelling, on its short code). */
export function rowOfResult(result: ItemResult): ResultRow {
  return {
    ...identityOf(result),
    outcome: result.outcome,
    ...(result.reason !== undefined && { reason: result.reason }),
    ...(result.error && {
      errorCode: result.error.code,
      errorMessage: result.error.message,
      retryable: result.error.retryable,
    }),
  };
}

/**
 * The CSV text of the rows, header first.
 *
 * @example toCsv([{ kind: 'number', number: '14255551212', outcome: 'released' }])
 * // 'kind,number,keyword,shortCode,outcome,reason,errorCode,errorMessage,retryable\r\nnumber,14255551212,,,released,,,,\r\n'
 */
export function toCsv(rows: readonly ResultRow[]): string {
  return [RESULTS_COLUMNS, ...rows.map(rowValues)].map(csvLine).join('');
}

/** The values of a row, in the columns' order. */
export function rowValues(row: ResultRow): Array<string | boolean | undefined> {
  return RESULTS_COLUMNS.map((column) => row[column]);
}

/** One CSV line (with its CRLF) of `values`. */
export function csvLine(values: ReadonlyArray<string | boolean | undefined>): string {
  return `${values.map(cell).join(',')}\r\n`;
}

function cell(value: string | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
