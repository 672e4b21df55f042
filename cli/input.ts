/**
 * The items an operator gives: a CSV file (a header row naming `number`, or `keyword` with an
 * optional `shortCode`; other columns are ignored, so a results file can be fed back), plain lines
 * of numbers, stdin (`-`), or numbers as arguments. Numbers and keywords are checked with the
 * release function's own rules (`normalizeNumber`, `parseKeyword`), so what passes here passes
 * there; every bad row is reported with its line, and nothing is sent.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { RequestIssue } from '../functions/release/errors';
import { normalizeNumber, numberProblem, parseKeyword } from '../functions/release/request';
import { CliError, EXIT, listAtMost, usageError } from './errors';

/** One item to release, normalised: a number in CallFire's digits-only form, or a keyword. */
export type Item =
  | { kind: 'number'; number: string }
  | { kind: 'keyword'; keyword: string; shortCode?: string };

/** The distinct items of an input, in order of first appearance. */
export interface Items {
  items: Item[];
  /** Rows (or arguments) that named an item already listed, merged into it. */
  duplicates: number;
  /** Where the items came from, for messages: a file name, `stdin` or `--numbers`. */
  source: string;
}

/**
 * The identity of an item: numbers by their normalised digits, keywords case-insensitively per
 * short code (the release function merges them the same way).
 *
 * @example itemKey({ kind: 'keyword', keyword: 'Vanilla', shortCode: '67076' }) // 'keyword:VANILLA@67076'
 */
export function itemKey(item: Item): string {
  return item.kind === 'number'
    ? `number:${item.number}`
    : `keyword:${item.keyword.toUpperCase()}@${item.shortCode ?? ''}`;
}

/** A problem with one row, located for the operator (`line 7`, `argument 2`). */
interface RowIssue {
  where: string;
  message: string;
}

/**
 * The items of `file` (`-`: stdin) or of `numbers` (one argument each).
 *
 * @throws CliError (exit 2) listing every bad row (at most 20, then a count), or when there is no
 *   item at all
 */
export async function readItems(file: string | undefined, numbers?: string[]): Promise<Items> {
  if (file !== undefined && numbers !== undefined) {
    throw usageError('give the items in a file or with --numbers, not both');
  }
  if (numbers !== undefined) return itemsFromArguments(numbers);
  if (file === undefined) throw usageError('give a file of items (or - for stdin), or --numbers');
  const text = file === '-' ? await readStdin() : await readInputFile(file);
  return itemsFromText(text, file === '-' ? 'stdin' : file);
}

async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw usageError(`cannot read ${file} (${code})`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Numbers given as arguments, each located as `argument N`. */
export function itemsFromArguments(values: readonly string[]): Items {
  const collector = new ItemCollector('--numbers');
  values.forEach((value, index) => {
    collector.addNumber(value, `argument ${index + 1}`);
  });
  return collector.finish();
}

/** The items of a CSV or plain-lines text. @throws CliError (exit 2) */
export function itemsFromText(text: string, source: string): Items {
  const collector = new ItemCollector(source);
  const records = parseRecords(text, source);
  const [first] = records;
  const columns = first ? headerColumns(first.cells) : undefined;
  if (columns && columns.keyword === undefined && columns.shortCode !== undefined) {
    throw usageError(`${source}, line ${first?.line}: a shortCode column needs a keyword column`);
  }
  for (const record of columns ? records.slice(1) : records) {
    if (columns) collector.addRow(record, columns);
    else collector.addLine(record);
  }
  return collector.finish();
}

interface CsvRecord {
  cells: string[];
  line: number;
}

/** Where each known column is in a header row. */
interface Columns {
  number?: number;
  keyword?: number;
  shortCode?: number;
}

const COLUMN_NAMES: Record<string, keyof Columns> = {
  number: 'number',
  keyword: 'keyword',
  shortcode: 'shortCode',
};

/** The header's columns when `cells` is a header row (names a number or keyword column). */
function headerColumns(cells: readonly string[]): Columns | undefined {
  const columns: Columns = {};
  cells.forEach((cell, index) => {
    const name = COLUMN_NAMES[cell.trim().toLowerCase()];
    if (name !== undefined && columns[name] === undefined) columns[name] = index;
  });
  return columns.number !== undefined || columns.keyword !== undefined ? columns : undefined;
}

function parseRecords(text: string, source: string): CsvRecord[] {
  try {
    const records = parse(text, {
      bom: true,
      comment: '#',
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    // `lines` is where a record ends; a quoted field may span lines.
    return records.map(({ record, info }) => ({
      cells: record,
      line: info.lines - (record.join('').match(/\n/g)?.length ?? 0),
    }));
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    const where = line ? `, line ${line}` : '';
    throw usageError(`${source}${where}: not a readable CSV file (${(error as Error).message})`);
  }
}

/** Collects items, merging duplicates, and the problems of the rows that are not items. */
class ItemCollector {
  readonly #source: string;
  readonly #items = new Map<string, Item>();
  readonly #issues: RowIssue[] = [];
  #duplicates = 0;

  constructor(source: string) {
    this.#source = source;
  }

  addNumber(value: string, where: string): void {
    const number = normalizeNumber(value);
    if (number === undefined) this.#issues.push({ where, message: numberProblem(value) });
    else this.#add({ kind: 'number', number });
  }

  /** A row under a header: a number, or a keyword with an optional short code. */
  addRow({ cells, line }: CsvRecord, columns: Columns): void {
    const cell = (index: number | undefined) => (index === undefined ? '' : (cells[index] ?? ''));
    const [number, keyword, shortCode] = [columns.number, columns.keyword, columns.shortCode].map(
      cell,
    ) as [string, string, string];
    const where = `line ${line}`;
    if (number && (keyword || shortCode)) {
      this.#issues.push({ where, message: 'a number and a keyword on one row: one item per row' });
    } else if (number) {
      this.addNumber(number, where);
    } else if (keyword) {
      this.#addKeyword(shortCode ? { keyword, shortCode } : keyword, where);
    } else if (cells.some(Boolean)) {
      this.#issues.push({ where, message: 'no number or keyword in the named columns' });
    }
  }

  /** A line without a header: one number; more non-empty columns need a header to be read. */
  addLine({ cells, line }: CsvRecord): void {
    const [value = '', ...rest] = cells;
    const where = `line ${line}`;
    if (rest.some(Boolean)) {
      this.#issues.push({
        where,
        message:
          'more than one column and no header row: name the columns in a first row (number, or keyword and shortCode)',
      });
    } else if (value) {
      this.addNumber(value, where);
    }
  }

  #addKeyword(value: string | { keyword: string; shortCode: string }, where: string): void {
    const issues: RequestIssue[] = [];
    const target = parseKeyword(value, where, issues);
    for (const { path, message } of issues) {
      // parseKeyword names the field after a dot: `line 7.shortCode`.
      this.#issues.push({ where: path.replace('.', ', '), message });
    }
    if (target) this.#add({ kind: 'keyword', ...target });
  }

  #add(item: Item): void {
    const key = itemKey(item);
    if (this.#items.has(key)) this.#duplicates++;
    else this.#items.set(key, item);
  }

  finish(): Items {
    const source = this.#source;
    if (this.#issues.length > 0) {
      const lines = this.#issues.map(({ where, message }) => `${where}: ${message}`);
      const count = this.#issues.length;
      throw new CliError(
        `${source}: ${count} bad ${count === 1 ? 'row' : 'rows'}, nothing was sent:\n${listAtMost(lines)}`,
        EXIT.usage,
      );
    }
    if (this.#items.size === 0) throw usageError(`${source}: no numbers or keywords in it`);
    return { items: [...this.#items.values()], duplicates: this.#duplicates, source };
  }
}
