/**
 * A job's items, validated one by one with the release request's own rules (functions/release/
 * request.ts: the number normalisation, the keyword and short code rules), wherever they came
 * from: the request body, an uploaded JSON array, or a CSV row. Problems name the item's place:
 * `numbers[3]`, `[3]` in a JSON file, `line 12` in a CSV file.
 */
import type { RequestIssue } from '../release/errors';
import { isPlainObject, parseKeyword, parseNumber, targetKey } from '../release/request';
import type { JobItem } from './job-contract';

/** The distinct items of a job in the order first given, and what merging them took. */
export interface ItemList {
  items: JobItem[];
  /** Entries dropped because an earlier one named the same item. */
  duplicatesMerged: number;
  /** How many of the items are keywords (they need `confirmKeywordRelease`). */
  keywords: number;
}

/**
 * The identity of an item: a number by its digits, a keyword case-insensitively on its short code
 * (none given is its own case: the release resolves it against the account), as the release
 * function merges them.
 */
export function itemKey(item: JobItem): string {
  return 'number' in item ? `n:${item.number}` : `k:${targetKey(item)}`;
}

/** Collects valid items, merging duplicates. */
export class ItemCollector {
  private readonly keys = new Set<string>();
  private readonly list: ItemList = { items: [], duplicatesMerged: 0, keywords: 0 };

  add(item: JobItem | undefined): void {
    if (item === undefined) return;
    const key = itemKey(item);
    if (this.keys.has(key)) {
      this.list.duplicatesMerged++;
      return;
    }
    this.keys.add(key);
    this.list.items.push(item);
    if ('keyword' in item) this.list.keywords++;
  }

  result(): ItemList {
    return this.list;
  }
}

/** A number entry: a string in any form a release request accepts. */
export function numberItem(
  value: unknown,
  where: string,
  issues: RequestIssue[],
): JobItem | undefined {
  const number = parseNumber(value, where, issues);
  return number === undefined ? undefined : { number };
}

/** A keyword entry: a string, or `{ "keyword", "shortCode"? }` (the release request's rules). */
export const keywordItem: (
  value: unknown,
  where: string,
  issues: RequestIssue[],
) => JobItem | undefined = parseKeyword;

/**
 * An entry of an uploaded JSON array: a number string, `{ "number" }`, or
 * `{ "keyword", "shortCode"? }`, with no other field.
 */
export function jsonEntryItem(
  value: unknown,
  where: string,
  issues: RequestIssue[],
): JobItem | undefined {
  if (typeof value === 'string') return numberItem(value, where, issues);
  if (isPlainObject(value) && 'number' in value && !('keyword' in value)) {
    const others = Object.keys(value).filter((field) => field !== 'number');
    if (others.length === 0) return numberItem(value.number, `${where}.number`, issues);
    issues.push({
      path: where,
      message: `a number entry has only "number"; got ${others.join(', ')}`,
    });
    return undefined;
  }
  if (isPlainObject(value) && 'keyword' in value && !('number' in value)) {
    return keywordItem(value, where, issues);
  }
  issues.push({
    path: where,
    message: 'must be a number string, { "number" } or { "keyword", "shortCode"? }',
  });
  return undefined;
}

/** The recognised cells of a CSV row; an empty cell is an absent one. */
export interface CsvCells {
  number?: string;
  keyword?: string;
  shortCode?: string;
}

/** A CSV row: a number, or a keyword with an optional short code. */
export function csvRowItem(
  cells: CsvCells,
  where: string,
  issues: RequestIssue[],
): JobItem | undefined {
  const { number, keyword, shortCode } = cells;
  if (number !== undefined && keyword === undefined && shortCode === undefined) {
    return numberItem(number, where, issues);
  }
  if (keyword !== undefined && number === undefined) {
    // The keyword rules report `<where>.keyword`; a CSV row reads better as `line 12, keyword`.
    const own: RequestIssue[] = [];
    const entry = shortCode === undefined ? { keyword } : { keyword, shortCode };
    const item = keywordItem(entry, where, own);
    issues.push(...own.map(({ path, message }) => ({ path: path.replace('.', ', '), message })));
    return item;
  }
  const message =
    number !== undefined
      ? 'a row holds a number or a keyword (with its shortCode), not both'
      : keyword === undefined && shortCode !== undefined
        ? 'a shortCode needs its keyword'
        : 'the row has no number and no keyword';
  issues.push({ path: where, message });
  return undefined;
}

/**
 * The request-level rules on the whole list: at least one item, and keywords only with
 * `confirmKeywordRelease: true` (or in a dry run), as for a release request.
 */
export function listIssues(
  list: ItemList,
  flags: { dryRun: boolean; confirmKeywordRelease: boolean },
): RequestIssue[] {
  if (list.items.length === 0) return [{ path: '', message: 'the job has no items' }];
  if (list.keywords === 0 || flags.dryRun || flags.confirmKeywordRelease) return [];
  return [
    {
      path: 'confirmKeywordRelease',
      message: `must be true to release the job's ${list.keywords} keywords: a released keyword cannot be repurchased for one month (use "dryRun": true to preview)`,
    },
  ];
}
