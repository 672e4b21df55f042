import type { Lease, NumberConfiguration } from './callfire/number-service';
import type { CallFireError, FailureCode } from './errors';

/**
 * How one item ended: `released`, `skipped` or `failed`; in a dry run `wouldRelease`,
 * `alreadyReleased`, `skipped` or `failed`.
 */
export type ItemOutcome = 'released' | 'wouldRelease' | 'alreadyReleased' | 'skipped' | 'failed';

/**
 * Why an item was not sent: on the protected list; in use (an inbound IVR or call tracking, with
 * `skipConfigured`); or, applying a reviewed plan, already released when it was planned.
 */
export type SkipReason = 'PROTECTED' | 'CONFIGURED' | 'ALREADY_RELEASED';

export interface ItemError {
  code: FailureCode;
  message: string;
  retryable: boolean;
}

interface ItemBase {
  outcome: ItemOutcome;
  reason?: SkipReason;
  /** Dry runs only: the lease as CallFire reports it. */
  lease?: Lease;
  /** Dry runs (and numbers looked up for `skipConfigured`): what answers the number's calls. */
  configuration?: NumberConfiguration;
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
  skipped: number;
  failed: number;
}

/** What every trigger gets back: one result per distinct requested item, in request order. */
export interface ReleaseResult {
  dryRun: boolean;
  summary: ReleaseSummary;
  results: ItemResult[];
  /** Dry runs: the digest of what was looked up, to release exactly that (`planHash`). */
  plan?: { hash: string };
}

export function summarize(dryRun: boolean, results: ItemResult[]): ReleaseSummary {
  const count = (outcome: ItemOutcome) =>
    results.filter((result) => result.outcome === outcome).length;
  return dryRun
    ? {
        requested: results.length,
        wouldRelease: count('wouldRelease'),
        alreadyReleased: count('alreadyReleased'),
        skipped: count('skipped'),
        failed: count('failed'),
      }
    : {
        requested: results.length,
        released: count('released'),
        skipped: count('skipped'),
        failed: count('failed'),
      };
}

/** The items still failing in a way that may pass: what a retry of the request would redo. */
export function retryableFailures(result: ReleaseResult): ItemResult[] {
  return result.results.filter((item) => item.outcome === 'failed' && item.error?.retryable);
}

/** Who an item is: a number, or a keyword with its short code when it has one. */
export type ItemIdentity =
  | Pick<NumberResult, 'kind' | 'number'>
  | Pick<KeywordResult, 'kind' | 'keyword' | 'shortCode'>;

/** The identity fields of a result, without its outcome. */
export function identityOf(result: ItemIdentity): ItemIdentity {
  if (result.kind === 'number') return { kind: 'number', number: result.number };
  const { keyword, shortCode } = result;
  return shortCode ? { kind: 'keyword', keyword, shortCode } : { kind: 'keyword', keyword };
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
