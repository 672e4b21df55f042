/**
 * Uploaded item files: a CSV file with a header row naming `number`, `keyword` and `shortCode`
 * columns (any order, any subset; other columns are ignored, so a job's results.csv can be sent
 * back as it is), or a JSON array of number strings, `{ "number" }` and `{ "keyword",
 * "shortCode"? }` objects. Pure: the file's text in, the items or the problems out.
 */
import { parse } from 'csv-parse/sync';
import { InvalidRequestError, type RequestIssue } from '../release/errors';
import {
  type CsvCells,
  csvRowItem,
  ItemCollector,
  type ItemList,
  jsonEntryItem,
} from './job-items';

/** Most items one uploaded file may hold (rows or array entries, counted as given). */
export const MAX_FILE_ITEMS = 100_000;
/** Largest uploaded file read: 100,000 rows of a few columns take a few megabytes. */
export const MAX_UPLOAD_BYTES = 16 * 1024 * 1024;

export type UploadFormat = 'csv' | 'json';

const COLUMNS: Record<string, keyof CsvCells> = {
  number: 'number',
  keyword: 'keyword',
  shortcode: 'shortCode',
};

/** The format a key's extension names (`.csv`, `.json`, any case), or undefined. */
export function formatOf(key: string): UploadFormat | undefined {
  const extension = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  return extension === 'csv' || extension === 'json' ? extension : undefined;
}

/**
 * The items of an uploaded file, with the problems found pushed to `issues`.
 *
 * @throws InvalidRequestError (413) when the file holds more than {@link MAX_FILE_ITEMS} items
 */
export function itemsFromFile(
  text: string,
  format: UploadFormat,
  issues: RequestIssue[],
): ItemList {
  return format === 'csv' ? itemsFromCsv(text, issues) : itemsFromJson(text, issues);
}

function itemsFromJson(text: string, issues: RequestIssue[]): ItemList {
  const collector = new ItemCollector();
  let entries: unknown;
  try {
    entries = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    issues.push({ path: '', message: 'the file is not valid JSON' });
    return collector.result();
  }
  if (!Array.isArray(entries)) {
    issues.push({ path: '', message: 'the file must hold a JSON array of items' });
    return collector.result();
  }
  checkCount(entries.length, 'entries');
  entries.forEach((entry, index) => {
    collector.add(jsonEntryItem(entry, `[${index}]`, issues));
  });
  return collector.result();
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

function itemsFromCsv(text: string, issues: RequestIssue[]): ItemList {
  const collector = new ItemCollector();
  const records = parseCsv(text, issues);
  const [header, ...rows] = records;
  if (header === undefined) {
    if (issues.length === 0) issues.push({ path: '', message: 'the file is empty' });
    return collector.result();
  }
  const columns = headerColumns(header.record, issues);
  if (columns === undefined) return collector.result();
  checkCount(rows.length, 'rows');
  for (const { record, info } of rows) {
    const cells: CsvCells = {};
    columns.forEach((name, index) => {
      const value = record[index];
      if (name !== undefined && value !== undefined && value !== '') cells[name] = value;
    });
    collector.add(csvRowItem(cells, `line ${startLine(record, info.lines)}`, issues));
  }
  return collector.result();
}

function parseCsv(text: string, issues: RequestIssue[]): CsvRecord[] {
  try {
    // Line endings made plain first: csv-parse miscounts lines after an empty CRLF line, and the
    // line numbers are how a problem is found in the file.
    return parse(text.replace(/\r\n?/g, '\n'), {
      bom: true,
      info: true,
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as CsvRecord[];
  } catch (error) {
    const { lines, message } = error as { lines?: number; message?: string };
    const where = typeof lines === 'number' ? `line ${lines}` : '';
    issues.push({ path: where, message: `not valid CSV: ${String(message).slice(0, 200)}` });
    return [];
  }
}

/** The recognised column of each position, or undefined (and an issue) when none is. */
function headerColumns(
  header: string[],
  issues: RequestIssue[],
): (keyof CsvCells | undefined)[] | undefined {
  const columns = header.map((name) => COLUMNS[name.toLowerCase()]);
  const named = columns.filter((column) => column !== undefined);
  if (named.length === 0) {
    issues.push({
      path: 'line 1',
      message: 'the header row names none of the columns number, keyword, shortCode',
    });
    return undefined;
  }
  const repeated = named.filter((column, index) => named.indexOf(column) !== index);
  if (repeated.length > 0) {
    issues.push({ path: 'line 1', message: `the header names ${repeated.join(', ')} twice` });
    return undefined;
  }
  return columns;
}

/** The line a record starts on: csv-parse gives the one it ends on (a quoted cell may span lines). */
function startLine(record: string[], endLine: number): number {
  const breaks = record.reduce((count, cell) => count + cell.split('\n').length - 1, 0);
  return endLine - breaks;
}

function checkCount(count: number, what: string): void {
  if (count <= MAX_FILE_ITEMS) return;
  throw new InvalidRequestError(
    [
      {
        path: 'source',
        message: `at most ${MAX_FILE_ITEMS} items per file; it has ${count} ${what}`,
      },
    ],
    { tooLarge: true },
  );
}
