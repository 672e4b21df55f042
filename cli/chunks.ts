/**
 * Items cut into release requests of at most 100 (the function's limit), always the same way:
 * in input order, 100 at a time. So a plan made from a file and a release of the same file send
 * the same requests, and their plan hashes line up.
 */
import { MAX_ITEMS } from '../functions/release/request';
import type { Item } from './input';

/** One request's worth of items and where they stand in the whole input (1-based, inclusive). */
export interface Chunk {
  /** 0-based position among the chunks. */
  index: number;
  items: Item[];
  /** Position of the first item in the input, 1-based. */
  first: number;
}

/** The flags a release request carries beside its items. */
export interface RequestFlags {
  dryRun?: boolean | undefined;
  confirmKeywordRelease?: boolean | undefined;
  skipConfigured?: boolean | undefined;
  planHash?: string | undefined;
  notAfter?: string | undefined;
}

/**
 * Consecutive chunks of at most `size` items.
 *
 * @example chunkItems(items250).map((chunk) => chunk.items.length) // [100, 100, 50]
 */
export function chunkItems(items: readonly Item[], size: number = MAX_ITEMS): Chunk[] {
  const chunks: Chunk[] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push({
      index: chunks.length,
      items: items.slice(start, start + size),
      first: start + 1,
    });
  }
  return chunks;
}

/** `items 101-200`: where a chunk stands, for messages. */
export function describeChunk(chunk: Chunk): string {
  const last = chunk.first + chunk.items.length - 1;
  return `request ${chunk.index + 1} (items ${chunk.first}-${last})`;
}

/**
 * The release request for `items`: `numbers` and `keywords` (only those present) and the flags
 * that are set, in the shape `POST /releases`, a schedule's Input and a job take.
 *
 * @example releaseRequest([{ kind: 'number', number: '14255551212' }], { dryRun: true })
 * // { numbers: ['14255551212'], dryRun: true }
 */
export function releaseRequest(
  items: readonly Item[],
  flags: RequestFlags = {},
): Record<string, unknown> {
  const numbers: string[] = [];
  const keywords: Array<string | { keyword: string; shortCode: string }> = [];
  for (const item of items) {
    if (item.kind === 'number') numbers.push(item.number);
    else
      keywords.push(
        item.shortCode ? { keyword: item.keyword, shortCode: item.shortCode } : item.keyword,
      );
  }
  const set = Object.entries(flags).filter(([, value]) => value !== undefined && value !== false);
  return {
    ...(numbers.length > 0 && { numbers }),
    ...(keywords.length > 0 && { keywords }),
    ...Object.fromEntries(set),
  };
}

/** Whether any item is a keyword (releasing one needs an explicit confirmation). */
export function hasKeywords(items: readonly Item[]): boolean {
  return items.some((item) => item.kind === 'keyword');
}
