/**
 * A job's results.csv: one row per item, RFC 4180 (CRLF line ends; a field holding a comma, a
 * quote or a line break is quoted, its quotes doubled). The same columns the operators' CLI
 * writes, so either file can be filtered and sent back as a job's source.
 */
import type { ItemOutcome } from '../release/result';

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

/**
 * The CSV text of the rows, header first.
 *
 * @example toCsv([{ kind: 'number', number: '14255551212', outcome: 'released' }])
 * // 'kind,number,keyword,shortCode,outcome,reason,errorCode,errorMessage,retryable\r\nnumber,14255551212,,,released,,,,\r\n'
 */
export function toCsv(rows: readonly ResultRow[]): string {
  const lines = [RESULTS_COLUMNS.join(',')];
  for (const row of rows) lines.push(RESULTS_COLUMNS.map((column) => cell(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: string | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
