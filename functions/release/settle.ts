import type { AccountKeyword, Lease, NumberInfo } from './callfire/number-service';
import type { CallFireCaller } from './callfire-caller';
import { CallFireError } from './errors';
import { keywordKey, listAccountKeywords, type Resolution } from './keywords';
import type { KeywordTarget } from './request';
import {
  failedWith,
  type ItemIdentity as Identity,
  type ItemOutcome,
  type ItemResult,
  identityOf,
  type SkipReason,
} from './result';
import type { CallResult } from './retry';

/** One distinct item of a request, ready to be looked up or released. */
export type WorkItem =
  | { kind: 'number'; number: string; protected: boolean }
  | {
      kind: 'keyword';
      requested: KeywordTarget;
      /** Not resolved when protected before resolution (on every short code, or the pinned one). */
      resolution: Resolution | undefined;
      protected: boolean;
    };

/** An item's result, its attempts, and the error behind a failure (which may name a cause). */
export interface Settled<R extends ItemResult = ItemResult> {
  result: R;
  attempts: number;
  failure?: CallFireError;
}

/** Look-ups shared by the items of one request. */
export interface Lookups {
  /**
   * The account's keywords as listed at `since` or later: a listing taken before a Release was
   * applied cannot tell whether it was, so items whose answers were lost together share one
   * listing only when it started after all of their Releases had ended.
   */
  keywords(since: number): Promise<CallResult<AccountKeyword[]>>;
}

export function createLookups(caller: CallFireCaller): Lookups {
  let latest: { startedAt: number; listing: Promise<CallResult<AccountKeyword[]>> } | undefined;
  return {
    keywords(since) {
      if (!latest || latest.startedAt < since) {
        latest = { startedAt: Date.now(), listing: listAccountKeywords(caller) };
      }
      return latest.listing;
    },
  };
}

/** What a dry run reports for an item: what a release would do, and the state that decides it. */
export async function lookUpItem(
  item: WorkItem,
  skipConfigured: boolean,
  caller: CallFireCaller,
): Promise<Settled> {
  const identity = workIdentity(item);
  if (item.protected) return skipped(identity, 'PROTECTED');
  if (item.kind === 'keyword') {
    const { resolution } = item;
    if (!resolution?.ok) return failedItem(identity, unresolved(resolution), 0);
    const { lease } = resolution.keyword;
    return { result: { ...identity, outcome: dryRunOutcome(lease), lease }, attempts: 0 };
  }
  const looked = await getNumber(item.number, caller);
  if (!looked.ok) return failedItem(identity, looked.error, looked.attempts);
  const { lease, configuration } = looked.value;
  const { attempts } = looked;
  if (skipConfigured && configuration.inbound !== null) {
    const result = { ...identity, outcome: 'skipped', reason: 'CONFIGURED', lease, configuration };
    return { result: result as ItemResult, attempts };
  }
  return {
    result: { ...identity, outcome: dryRunOutcome(lease), lease, configuration } as ItemResult,
    attempts,
  };
}

/**
 * Releases an item: protected ones are skipped unsent; with `skipConfigured`, a number is looked
 * up first and skipped when an inbound IVR or call tracking answers it.
 */
export async function releaseItem(
  item: WorkItem,
  skipConfigured: boolean,
  caller: CallFireCaller,
  lookups: Lookups,
): Promise<Settled> {
  const identity = workIdentity(item);
  if (item.protected) return skipped(identity, 'PROTECTED');
  if (item.kind === 'keyword') {
    if (!item.resolution?.ok) return failedItem(identity, unresolved(item.resolution), 0);
    return sendRelease(identity, caller, lookups);
  }
  if (!skipConfigured) return sendRelease(identity, caller, lookups);
  const looked = await getNumber(item.number, caller);
  if (!looked.ok) return failedItem(identity, looked.error, looked.attempts);
  if (looked.value.configuration.inbound !== null) {
    const { configuration } = looked.value;
    return {
      result: { ...identity, outcome: 'skipped', reason: 'CONFIGURED', configuration },
      attempts: looked.attempts,
    };
  }
  const released = await sendRelease(identity, caller, lookups);
  return { ...released, attempts: released.attempts + looked.attempts };
}

/**
 * Applies a reviewed plan's entry: releases exactly what it planned `wouldRelease`; the rest keep
 * their planned outcome (already released ones are skipped: nothing to do).
 */
export async function applyPlanned(
  planned: Settled,
  caller: CallFireCaller,
  lookups: Lookups,
): Promise<Settled> {
  const { result } = planned;
  const identity = identityOf(result);
  if (result.outcome === 'wouldRelease') return sendRelease(identity, caller, lookups);
  if (result.outcome === 'alreadyReleased') return skipped(identity, 'ALREADY_RELEASED');
  if (result.outcome === 'skipped' && result.reason) return skipped(identity, result.reason);
  return planned;
}

/** Sends one Release and, when its answer was lost, looks the item up rather than guessing. */
async function sendRelease(
  identity: Identity,
  caller: CallFireCaller,
  lookups: Lookups,
): Promise<Settled> {
  const target =
    identity.kind === 'number'
      ? { number: identity.number }
      : { number: identity.shortCode ?? '', keyword: identity.keyword };
  const released = await caller.call('Release', (service, credentials, attempt) =>
    service.release(target, { credentials, ...attempt }),
  );
  if (released.ok)
    return { result: { ...identity, outcome: 'released' }, attempts: released.attempts };
  if (!released.maybeApplied) return failedItem(identity, released.error, released.attempts);
  const endedAt = Date.now();
  const lookUp =
    identity.kind === 'number'
      ? async () => {
          const looked = await getNumber(identity.number, caller);
          return looked.ok ? { ...looked, value: looked.value.lease } : looked;
        }
      : () => keywordLease(identity, lookups, endedAt);
  return verify(identity, released, lookUp);
}

/**
 * A Release sent without a known outcome (its answer was lost: a timeout or a broken connection
 * after sending): auto-renew off or status RELEASED means CallFire applied it; auto-renew still on
 * means it did not, and the failure stands. When the look-up itself fails (or there is no time
 * left for it), the item says the outcome is unknown.
 */
async function verify(
  identity: Identity,
  released: Extract<CallResult<void>, { ok: false }>,
  lookUp: () => Promise<CallResult<Lease>>,
): Promise<Settled> {
  const looked = await lookUp();
  const attempts = released.attempts + looked.attempts;
  if (looked.ok) {
    if (dryRunOutcome(looked.value) !== 'alreadyReleased')
      return failedItem(identity, released.error, attempts);
    return { result: { ...identity, outcome: 'released', verified: true }, attempts };
  }
  const unknown = new CallFireError(
    'OUTCOME_UNKNOWN',
    `Release was sent but its answer was lost (${released.error.code}), and looking it up failed (${looked.error.code}): retry the request (releasing again is harmless)`,
    true,
  );
  return failedItem(identity, unknown, attempts);
}

async function keywordLease(
  identity: { keyword: string; shortCode?: string | undefined },
  lookups: Lookups,
  since: number,
): Promise<CallResult<Lease>> {
  const listed = await lookups.keywords(since);
  if (!listed.ok) return listed;
  const wanted = keywordKey({ shortCode: identity.shortCode ?? '', keyword: identity.keyword });
  const entry = listed.value.find((candidate) => keywordKey(candidate) === wanted);
  if (entry) return { ...listed, value: entry.lease };
  return {
    ok: false,
    error: new CallFireError('NOT_FOUND', 'no longer listed', false),
    attempts: listed.attempts,
  };
}

function getNumber(number: string, caller: CallFireCaller): Promise<CallResult<NumberInfo>> {
  return caller.call('GetNumber', (service, credentials, attempt) =>
    service.getNumber(number, { credentials, ...attempt }),
  );
}

/** The result's identity: the account's spelling and short code once resolved, else as requested. */
function workIdentity(item: WorkItem): Identity {
  if (item.kind === 'number') return { kind: 'number', number: item.number };
  const { keyword, shortCode } = item.resolution?.ok ? item.resolution.keyword : item.requested;
  return shortCode ? { kind: 'keyword', keyword, shortCode } : { kind: 'keyword', keyword };
}

function unresolved(resolution: Resolution | undefined): CallFireError {
  return resolution && !resolution.ok
    ? resolution.error
    : new CallFireError('NOT_FOUND', 'Keyword not resolved', false);
}

function skipped(identity: Identity, reason: SkipReason): Settled {
  return { result: { ...identity, outcome: 'skipped', reason } as ItemResult, attempts: 0 };
}

function failedItem(identity: Identity, error: CallFireError, attempts: number): Settled {
  return { result: { ...identity, ...failedWith(error) } as ItemResult, attempts, failure: error };
}

function dryRunOutcome(lease: Lease): ItemOutcome {
  return lease.status === 'RELEASED' || lease.autoRenew === false
    ? 'alreadyReleased'
    : 'wouldRelease';
}
