import type { Lease } from './callfire/number-service';
import type { CallFireError, FailureCode } from './errors';

/** How one item ended: `released` or `failed`; in a dry run `wouldRelease`, `alreadyReleased` or `failed`. */
export type ItemOutcome = 'released' | 'wouldRelease' | 'alreadyReleased' | 'failed';

export interface ItemError {
  code: FailureCode;
  message: string;
  retryable: boolean;
}

interface ItemBase {
  outcome: ItemOutcome;
  /** Dry runs only: the lease as CallFire reports it. */
  lease?: Lease;
  error?: ItemError;
  /**
   * Set on `released` when the Release's answer was lost and a look-up showed it had been
   * applied (auto-renew off).
   */
  verified?: true;
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
  const count = (outcome: ItemOutcome) =>
    results.filter((result) => result.outcome === outcome).length;
  return dryRun
    ? {
        requested: results.length,
        wouldRelease: count('wouldRelease'),
        alreadyReleased: count('alreadyReleased'),
        failed: count('failed'),
      }
    : { requested: results.length, released: count('released'), failed: count('failed') };
}

/** The items still failing in a way that may pass: what a retry of the request would redo. */
export function retryableFailures(result: ReleaseResult): ItemResult[] {
  return result.results.filter((item) => item.outcome === 'failed' && item.error?.retryable);
}

/** A human-readable name for an item in logs and error messages. */
export function describeItem(result: ItemResult): string {
  return result.kind === 'number'
    ? result.number
    : `keyword ${result.keyword}${result.shortCode ? `@${result.shortCode}` : ''}`;
}

/** The outcome fields of a failed item. */
export function failedWith({ code, message, retryable }: CallFireError): {
  outcome: 'failed';
  error: ItemError;
} {
  return { outcome: 'failed', error: { code, message, retryable } };
}
