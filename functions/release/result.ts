import type { Lease } from './callfire/number-service';
import type { FailureCode } from './errors';

export type Outcome = 'released' | 'wouldRelease' | 'alreadyReleased' | 'failed';

export interface ItemError {
  code: FailureCode;
  message: string;
  retryable: boolean;
}

interface ItemBase {
  outcome: Outcome;
  /** Dry runs only: the lease as CallFire reports it. */
  lease?: Lease;
  error?: ItemError;
}
export interface NumberResult extends ItemBase {
  kind: 'number';
  number: string;
}
export interface KeywordResult extends ItemBase {
  kind: 'keyword';
  /** The account's spelling once resolved, else as requested. */
  keyword: string;
  shortCode?: string;
}
export type ItemResult = NumberResult | KeywordResult;

export interface ReleaseSummary {
  requested: number;
  released?: number;
  wouldRelease?: number;
  alreadyReleased?: number;
  failed: number;
}

/** What every trigger gets back: one result per distinct requested item, in request order. */
export interface ReleaseResult {
  dryRun: boolean;
  summary: ReleaseSummary;
  results: ItemResult[];
}

export function summarize(dryRun: boolean, results: ItemResult[]): ReleaseSummary {
  const count = (outcome: Outcome) => results.filter((result) => result.outcome === outcome).length;
  return dryRun
    ? {
        requested: results.length,
        wouldRelease: count('wouldRelease'),
        alreadyReleased: count('alreadyReleased'),
        failed: count('failed'),
      }
    : { requested: results.length, released: count('released'), failed: count('failed') };
}

/** A human-readable name for an item in logs and error messages. */
export function describeItem(result: ItemResult): string {
  return result.kind === 'number'
    ? result.number
    : `keyword ${result.keyword}${result.shortCode ? `@${result.shortCode}` : ''}`;
}
