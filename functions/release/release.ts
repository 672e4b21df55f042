import type { NumberService } from './callfire/number-service';
import {
  type CallFireCaller,
  createCallFireCaller,
  NO_OBSERVER,
  type ReleaseObserver,
  readWithin,
} from './callfire-caller';
import { createLimiter, type Limiter, mapWithConcurrency } from './concurrency';
import type { CredentialsSource } from './credentials/secret-credentials';
import { ConfigurationError, PlanChangedError } from './errors';
import { keywordKey, listAccountKeywords, matchKeyword } from './keywords';
import { planHash, planItems } from './plan';
import {
  NO_PROTECTED_ITEMS_SOURCE,
  type ProtectedItemsSource,
} from './protection/protected-items-source';
import {
  isProtectedKeyword,
  isProtectedNumber,
  type ProtectedList,
} from './protection/protected-list';
import type { ReleaseRequest } from './request';
import { type ReleaseResult, summarize } from './result';
import { createBudget, type RetryPolicy } from './retry';
import {
  applyPlanned,
  createLookups,
  type Lookups,
  lookUpItem,
  releaseItem,
  type Settled,
  type WorkItem,
} from './settle';

export type { ReleaseObserver } from './callfire-caller';

/** The collaborators of a release, injected so the core runs without a Lambda around it. */
export interface ReleasePorts {
  numberService: NumberService;
  credentials: CredentialsSource;
  /** What must never be released; nothing when absent. */
  protectedItems?: ProtectedItemsSource;
  observer?: ReleaseObserver;
}

export interface ReleaseOptions {
  /** Time the secret read and the CallFire calls may take in all, from now. */
  budgetMs: number;
  /** Items in flight at once: a number, or a limiter shared with other requests. */
  concurrency: number | Limiter;
  retry: RetryPolicy;
  /** Named in the error when CallFire rejects the credentials it holds. */
  secretId: string;
}

/** One invocation's release machinery: its caller (credentials, budget), limiter, observer and protected list. */
export interface ReleaseSession {
  caller: CallFireCaller;
  limiter: Limiter;
  observer: ReleaseObserver;
  protectedList: ProtectedList;
}

/**
 * Opens a session: starts the budget and reads the credentials and the protected items, before
 * anything is sent, so that a missing secret or a broken list fails the whole request with nothing
 * released. Close it when done.
 *
 * @throws ConfigurationError / DependencyUnavailableError when either cannot be read
 */
export async function openSession(
  ports: ReleasePorts,
  options: ReleaseOptions,
): Promise<{ session: ReleaseSession; close(): void }> {
  // The budget starts before anything is read: those reads spend the same invocation time.
  const budget = createBudget(options.budgetMs);
  try {
    const observer = ports.observer ?? NO_OBSERVER;
    const within = { budget, secretId: options.secretId };
    const protectedItems = ports.protectedItems ?? NO_PROTECTED_ITEMS_SOURCE;
    const [initial, protectedList] = await Promise.all([
      readWithin(within, () => ports.credentials.get()),
      readWithin(within, () => protectedItems.get(), {
        service: 'SSM Parameter Store',
        what: 'the protected items',
      }),
    ]);
    const caller = createCallFireCaller({ ...ports, observer, budget, ...options }, initial);
    const { concurrency } = options;
    const limiter = typeof concurrency === 'number' ? createLimiter(concurrency) : concurrency;
    return { session: { caller, limiter, observer, protectedList }, close: () => budget.dispose() };
  } catch (error) {
    budget.dispose();
    throw error;
  }
}

/**
 * Releases (or, in a dry run, looks up) every item of a validated request: opens a session, runs
 * the request, closes the session. Item failures never throw: each item ends with an outcome.
 *
 * @throws ConfigurationError / DependencyUnavailableError when the credentials or the protected
 *   items cannot be read, or when CallFire rejected the credentials and no item succeeded
 * @throws PlanChangedError when a release's `planHash` is not what the account looks like now
 */
export async function releaseItems(
  request: ReleaseRequest,
  ports: ReleasePorts,
  options: ReleaseOptions,
): Promise<ReleaseResult> {
  const { session, close } = await openSession(ports, options);
  try {
    return await releaseInSession(request, session);
  } finally {
    close();
  }
}

/** Runs one request in an open session (several may share one: the records of an SQS batch). */
export async function releaseInSession(
  request: ReleaseRequest,
  session: ReleaseSession,
): Promise<ReleaseResult> {
  const items = await prepareItems(request, session);
  const lookups = createLookups(session.caller);
  const { caller } = session;
  let settled: Settled[];
  if (request.dryRun) {
    settled = await settleAll(items, session, request, (item) =>
      lookUpItem(item, request.skipConfigured, caller),
    );
  } else if (request.planHash) {
    settled = await applyPlan(items, request, session, lookups);
  } else {
    settled = await settleAll(items, session, request, (item) =>
      releaseItem(item, request.skipConfigured, caller, lookups),
    );
  }
  const results = settled.map((item) => item.result);
  // Nothing done and the credentials are the reason: a deployment problem, not an outcome.
  const blocker = settled.map((item) => item.failure?.cause).find(isConfigurationError);
  if (blocker && !results.some((result) => result.outcome !== 'failed')) throw blocker;
  const summary = summarize(request.dryRun, results);
  if (!request.dryRun) return { dryRun: false, summary, results };
  return { dryRun: true, summary, results, plan: { hash: planHash(results) } };
}

/**
 * Releases exactly what a reviewed plan saw: looks every item up as its dry run did, and when the
 * plan's hash differs, releases nothing (the fresh plan goes back to be reviewed).
 */
async function applyPlan(
  items: WorkItem[],
  request: ReleaseRequest,
  session: ReleaseSession,
  lookups: Lookups,
): Promise<Settled[]> {
  const { caller } = session;
  const planned = await mapWithConcurrency(items, session.limiter, (item) =>
    lookUpItem(item, request.skipConfigured, caller),
  );
  const fresh = planHash(planned.map((item) => item.result));
  if (fresh !== request.planHash) {
    const blocker = planned.map((item) => item.failure?.cause).find(isConfigurationError);
    if (blocker) throw blocker;
    throw new PlanChangedError(
      `The plan changed since it was reviewed (its hash is now ${fresh}): nothing was released; review the fresh plan and release it`,
      { hash: fresh, items: planItems(planned.map((item) => item.result)) },
    );
  }
  return settleAll(planned, session, request, (entry) => applyPlanned(entry, caller, lookups));
}

/** Settles every item with at most the session's limit in flight, each told to the observer once. */
function settleAll<T>(
  items: readonly T[],
  session: ReleaseSession,
  request: ReleaseRequest,
  settle: (item: T) => Promise<Settled>,
): Promise<Settled[]> {
  return mapWithConcurrency(items, session.limiter, async (item) => {
    const started = Date.now();
    const done = await settle(item);
    const { result, attempts } = done;
    const { dryRun } = request;
    session.observer.item({ result, attempts, latencyMs: Date.now() - started, dryRun });
    return done;
  });
}

/**
 * The request's distinct items: numbers, then keywords resolved against one listing of the
 * account. Protected items are marked before anything is sent: a keyword protected on every short
 * code, or on the one it pins, is not even resolved. Two requested keywords that name the same
 * account keyword ("VANILLA" and { "Vanilla", "67076" }) are one item, where the first stood.
 */
async function prepareItems(request: ReleaseRequest, session: ReleaseSession): Promise<WorkItem[]> {
  const { protectedList } = session;
  const items: WorkItem[] = request.numbers.map((number) => ({
    kind: 'number',
    number,
    protected: isProtectedNumber(protectedList, number),
  }));
  const guarded = request.keywords.map((target) => ({
    target,
    protected: isProtectedKeyword(protectedList, target.keyword, target.shortCode),
  }));
  const toResolve = guarded.filter((entry) => !entry.protected);
  const listing = toResolve.length > 0 ? await listAccountKeywords(session.caller) : undefined;
  const seen = new Set<string>();
  for (const { target, protected: isProtected } of guarded) {
    if (isProtected || !listing) {
      items.push({ kind: 'keyword', requested: target, resolution: undefined, protected: true });
      continue;
    }
    const resolution = listing.ok ? matchKeyword(listing.value, target) : listing;
    if (resolution.ok) {
      const key = keywordKey(resolution.keyword);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const { keyword, shortCode } = resolution.ok ? resolution.keyword : target;
    const guardedNow = resolution.ok && isProtectedKeyword(protectedList, keyword, shortCode);
    items.push({ kind: 'keyword', requested: target, resolution, protected: guardedNow });
  }
  return items;
}

function isConfigurationError(value: unknown): value is ConfigurationError {
  return value instanceof ConfigurationError;
}
