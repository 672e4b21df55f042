import { createHash } from 'node:crypto';
import type { ItemResult } from './result';

/**
 * One item as a plan sees it: what a release would do with it and the state that decided it. Any
 * change to these (the account's or the protected list's) changes the plan's hash.
 */
export interface PlanItem {
  kind: 'number' | 'keyword';
  /** The number, `SHORTCODE/KEYWORD` once resolved, or the keyword as requested (upper-cased). */
  item: string;
  outcome: string;
  reason: string | null;
  status: string | null;
  autoRenew: boolean | null;
  leaseEnd: string | null;
  callFeature: string | null;
  textFeature: string | null;
  inbound: string | null;
  errorCode: string | null;
}

/** The plan entries of a dry run's results, in a canonical order (kind, then item). */
export function planItems(results: readonly ItemResult[]): PlanItem[] {
  return results.map(planItem).sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * The plan's digest: SHA-256, hex, over its entries in canonical order with their fields in a
 * fixed order. The same account state gives the same hash; any change to an item's state, or to
 * the list of items, changes it.
 *
 * @example planHash(dryRun.results) // '3f5a…' (64 hex characters)
 */
export function planHash(results: readonly ItemResult[]): string {
  const canonical = JSON.stringify(
    planItems(results).map((entry) => FIELDS.map((field) => entry[field])),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

const FIELDS: readonly (keyof PlanItem)[] = [
  'kind',
  'item',
  'outcome',
  'reason',
  'status',
  'autoRenew',
  'leaseEnd',
  'callFeature',
  'textFeature',
  'inbound',
  'errorCode',
];

function planItem(result: ItemResult): PlanItem {
  const item =
    result.kind === 'number'
      ? result.number
      : result.shortCode
        ? `${result.shortCode}/${result.keyword}`
        : result.keyword.toUpperCase();
  return {
    kind: result.kind,
    item,
    outcome: result.outcome,
    reason: result.reason ?? null,
    status: result.lease?.status ?? null,
    autoRenew: result.lease?.autoRenew ?? null,
    leaseEnd: result.lease?.leaseEnd ?? null,
    callFeature: result.configuration?.callFeature ?? null,
    textFeature: result.configuration?.textFeature ?? null,
    inbound: result.configuration?.inbound ?? null,
    errorCode: result.error?.code ?? null,
  };
}

function key(entry: PlanItem): string {
  return `${entry.kind}:${entry.item}`;
}
