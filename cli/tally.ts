/** Counts of outcomes over result rows, and how to say them. */
import type { ResultRow } from './results-csv';

/** How many items ended how. */
export interface Tally {
  done: number;
  released: number;
  wouldRelease: number;
  alreadyReleased: number;
  skipped: number;
  failed: number;
}

export function emptyTally(): Tally {
  return { done: 0, released: 0, wouldRelease: 0, alreadyReleased: 0, skipped: 0, failed: 0 };
}

/** Adds `rows` to `tally` (in place) and returns it. */
export function addRows(tally: Tally, rows: readonly ResultRow[]): Tally {
  for (const { outcome } of rows) {
    tally.done++;
    tally[outcome]++;
  }
  return tally;
}

/**
 * The counts in words, those of the mode only.
 *
 * @example describeTally(tally, false) // 'released 240, skipped 1, failed 9'
 */
export function describeTally(tally: Tally, dryRun: boolean): string {
  const parts = dryRun
    ? [
        `would release ${tally.wouldRelease}`,
        `already released ${tally.alreadyReleased}`,
        `skipped ${tally.skipped}`,
      ]
    : [`released ${tally.released}`, `skipped ${tally.skipped}`];
  return [...parts, `failed ${tally.failed}`].join(', ');
}

/** The summary of a run, in the release function's shape for the mode. */
export function summaryOf(tally: Tally, dryRun: boolean): Record<string, number> {
  const { done: requested, released, wouldRelease, alreadyReleased, skipped, failed } = tally;
  return dryRun
    ? { requested, wouldRelease, alreadyReleased, skipped, failed }
    : { requested, released, skipped, failed };
}

/** `1 request`, `3 requests`. */
export function count(amount: number, noun: string): string {
  return `${amount} ${noun}${amount === 1 ? '' : 's'}`;
}
