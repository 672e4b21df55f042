/**
 * What the commands print: results and summaries on stdout (or one JSON document with `--json`),
 * notes and progress on stderr.
 */
import type { ItemResult } from '../functions/release/result';
import type { ResultRow } from './results-csv';

/** A note for the operator, on stderr (stdout stays for results). */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** A line of results on stdout. */
export function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The one JSON document of `--json`. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Left-aligned columns, two spaces apart. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** An item as the operator wrote it: the number, or `SHORTCODE/KEYWORD`. */
export function itemName(
  row: Pick<ResultRow, 'kind' | 'number' | 'keyword' | 'shortCode'>,
): string {
  if (row.kind === 'number') return row.number ?? '';
  return row.shortCode ? `${row.shortCode}/${row.keyword}` : (row.keyword ?? '');
}

const OUTCOME_WORDS: Record<string, string> = {
  wouldRelease: 'would-release',
  alreadyReleased: 'already-released',
};

/** `skipped (PROTECTED)`, `failed (NOT_FOUND: …)`, `would-release`. */
export function outcomeText(row: ResultRow, messageLength = 40): string {
  const outcome = OUTCOME_WORDS[row.outcome] ?? row.outcome;
  if (row.outcome === 'skipped' && row.reason) return `${outcome} (${row.reason})`;
  if (row.outcome !== 'failed') return outcome;
  const message = row.errorMessage ?? '';
  const clipped = message.length > messageLength ? `${message.slice(0, messageLength)}…` : message;
  return `${outcome} (${row.errorCode}${clipped ? `: ${clipped}` : ''})`;
}

/** The dry run's table: item, outcome and why, lease end, what answers inbound calls. */
export function planTable(rows: ReadonlyArray<{ row: ResultRow; result?: ItemResult }>): string {
  return table(
    ['ITEM', 'OUTCOME', 'LEASE END', 'INBOUND'],
    rows.map(({ row, result }) => [
      itemName(row),
      outcomeText(row),
      result?.lease?.leaseEnd ?? '-',
      result?.configuration?.inbound ?? '-',
    ]),
  );
}

/**
 * The failed rows, at most `max`, then a count; items never sent (the run stopped) are counted in
 * one line rather than listed.
 */
export function failuresList(rows: readonly ResultRow[], max = 50): string {
  const unsent = rows.filter((row) => row.errorCode === 'NOT_SENT').length;
  const failed = rows.filter((row) => row.outcome === 'failed' && row.errorCode !== 'NOT_SENT');
  const notSent =
    unsent > 0 ? `${unsent} items not sent: the run stopped before their requests` : '';
  if (failed.length === 0) return notSent;
  const listed = table(
    ['ITEM', 'ERROR', 'MESSAGE'],
    failed.slice(0, max).map((row) => [itemName(row), row.errorCode ?? '', row.errorMessage ?? '']),
  );
  const more = failed.length > max ? `\n…and ${failed.length - max} more` : '';
  return `${listed}${more}${notSent ? `\n${notSent}` : ''}`;
}
