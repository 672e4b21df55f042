import type { AccountKeyword, Lease, NumberService } from './callfire/number-service';
import {
  type CallFireCaller,
  createCallFireCaller,
  NO_OBSERVER,
  type ReleaseObserver,
  readWithin,
} from './callfire-caller';
import { createLimiter, type Limiter, mapWithConcurrency } from './concurrency';
import type { CredentialsSource } from './credentials/secret-credentials';
import { CallFireError, ConfigurationError } from './errors';
import { keywordKey, listAccountKeywords, matchKeyword, type Resolution } from './keywords';
import type { KeywordTarget, ReleaseRequest } from './request';
import {
  failedWith,
  type ItemOutcome,
  type ItemResult,
  type KeywordResult,
  type NumberResult,
  type ReleaseResult,
  summarize,
} from './result';
import { type CallResult, createBudget, type RetryPolicy } from './retry';

export type { ReleaseObserver } from './callfire-caller';

/** The collaborators of a release, injected so the core runs without a Lambda around it. */
export interface ReleasePorts {
  numberService: NumberService;
  credentials: CredentialsSource;
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

/** One invocation's release machinery: its caller (credentials, budget), limiter and observer. */
export interface ReleaseSession {
  caller: CallFireCaller;
  limiter: Limiter;
  observer: ReleaseObserver;
}

/**
 * Opens a session: starts the budget and reads the credentials, before anything is sent, so that
 * a missing or malformed secret fails the whole request with nothing released. Close it when done.
 *
 * @throws ConfigurationError / DependencyUnavailableError when the credentials cannot be read
 */
export async function openSession(
  ports: ReleasePorts,
  options: ReleaseOptions,
): Promise<{ session: ReleaseSession; close(): void }> {
  // The budget starts before the secret is read: that read spends the same invocation time.
  const budget = createBudget(options.budgetMs);
  try {
    const observer = ports.observer ?? NO_OBSERVER;
    const initial = await readWithin({ budget, secretId: options.secretId }, () =>
      ports.credentials.get(),
    );
    const caller = createCallFireCaller({ ...ports, observer, budget, ...options }, initial);
    const { concurrency } = options;
    const limiter = typeof concurrency === 'number' ? createLimiter(concurrency) : concurrency;
    return { session: { caller, limiter, observer }, close: () => budget.dispose() };
  } catch (error) {
    budget.dispose();
    throw error;
  }
}

/**
 * Releases (or, in a dry run, looks up) every item of a validated request: opens a session, runs
 * the request, closes the session. Item failures never throw: each item ends with an outcome.
 *
 * @throws ConfigurationError / DependencyUnavailableError when the credentials cannot be read, or
 *   when CallFire rejected them (also after a fresh read) and no item succeeded
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
  const items: WorkItem[] = request.numbers.map((number) => ({ kind: 'number', number }));
  if (request.keywords.length > 0) {
    items.push(...(await resolveKeywords(request.keywords, session.caller)));
  }
  const lookups = createLookups(session.caller);
  const settled = await mapWithConcurrency(items, session.limiter, async (item) => {
    const started = Date.now();
    const done =
      item.kind === 'number'
        ? await settleNumber(item.number, request.dryRun, session.caller)
        : await settleKeyword(item, request.dryRun, session.caller, lookups);
    const { result, attempts } = done;
    const { dryRun } = request;
    session.observer.item({ result, attempts, latencyMs: Date.now() - started, dryRun });
    return done;
  });
  const results = settled.map((item) => item.result);
  // Nothing released and the credentials are the reason: a deployment problem, not an outcome.
  const blocker = settled.map((item) => item.failure?.cause).find(isConfigurationError);
  if (blocker && !results.some((result) => result.outcome !== 'failed')) throw blocker;
  return { dryRun: request.dryRun, summary: summarize(request.dryRun, results), results };
}

type WorkItem =
  | { kind: 'number'; number: string }
  | { kind: 'keyword'; requested: KeywordTarget; resolution: Resolution };

/** An item's result, its attempts, and the error behind a failure (which may name a cause). */
interface Settled<R extends ItemResult = ItemResult> {
  result: R;
  attempts: number;
  failure?: CallFireError;
}

/** Look-ups shared by the items of one request: the account's keywords are listed at most once. */
interface Lookups {
  keywords(): Promise<CallResult<AccountKeyword[]>>;
}

function createLookups(caller: CallFireCaller): Lookups {
  let keywords: Promise<CallResult<AccountKeyword[]>> | undefined;
  return { keywords: () => (keywords ??= listAccountKeywords(caller)) };
}

async function settleNumber(
  number: string,
  dryRun: boolean,
  caller: CallFireCaller,
): Promise<Settled<NumberResult>> {
  const identity = { kind: 'number', number } as const;
  const lookUp = () =>
    caller.call('GetNumber', (service, credentials, attempt) =>
      service.getNumber(number, { credentials, ...attempt }),
    );
  if (dryRun) {
    const looked = await lookUp();
    if (!looked.ok) return failedItem(identity, looked.error, looked.attempts);
    const { value: lease, attempts } = looked;
    return { result: { ...identity, outcome: dryRunOutcome(lease), lease }, attempts };
  }
  const released = await caller.call('Release', (service, credentials, attempt) =>
    service.release({ number }, { credentials, ...attempt }),
  );
  if (released.ok)
    return { result: { ...identity, outcome: 'released' }, attempts: released.attempts };
  if (!released.maybeApplied) return failedItem(identity, released.error, released.attempts);
  return verify(identity, released, lookUp);
}

async function settleKeyword(
  item: Extract<WorkItem, { kind: 'keyword' }>,
  dryRun: boolean,
  caller: CallFireCaller,
  lookups: Lookups,
): Promise<Settled<KeywordResult>> {
  const { resolution, requested } = item;
  if (!resolution.ok) {
    const identity = { kind: 'keyword', ...keywordIdentity(requested) } as const;
    return failedItem(identity, resolution.error, 0);
  }
  const { keyword, shortCode, lease } = resolution.keyword;
  const identity = { kind: 'keyword', keyword, shortCode } as const;
  if (dryRun) return { result: { ...identity, outcome: dryRunOutcome(lease), lease }, attempts: 0 };
  const released = await caller.call('Release', (service, credentials, attempt) =>
    service.release({ number: shortCode, keyword }, { credentials, ...attempt }),
  );
  if (released.ok)
    return { result: { ...identity, outcome: 'released' }, attempts: released.attempts };
  if (!released.maybeApplied) return failedItem(identity, released.error, released.attempts);
  return verify(identity, released, async () => {
    const listed = await lookups.keywords();
    if (!listed.ok) return listed;
    const entry = listed.value.find((candidate) => keywordKey(candidate) === keywordKey(identity));
    return entry
      ? { ...listed, value: entry.lease }
      : {
          ok: false,
          error: new CallFireError('NOT_FOUND', 'no longer listed', false),
          attempts: 0,
        };
  });
}

/**
 * A Release sent without a known outcome (its answer was lost: a timeout or a broken connection
 * after sending) is looked up rather than guessed: auto-renew off or status RELEASED means CallFire
 * applied it; auto-renew still on means it did not, and the failure stands. When the look-up
 * itself fails (or there is no time left for it), the item says the outcome is unknown.
 */
async function verify<I extends Pick<ItemResult, 'kind'>>(
  identity: I,
  released: Extract<CallResult<void>, { ok: false }>,
  lookUp: () => Promise<CallResult<Lease>>,
): Promise<Settled<I & ItemResult>> {
  const looked = await lookUp();
  const attempts = released.attempts + looked.attempts;
  if (looked.ok) {
    if (dryRunOutcome(looked.value) === 'alreadyReleased') {
      const result = { ...identity, outcome: 'released', verified: true } as I & ItemResult;
      return { result, attempts };
    }
    return failedItem(identity, released.error, attempts) as Settled<I & ItemResult>;
  }
  const unknown = new CallFireError(
    'OUTCOME_UNKNOWN',
    `Release was sent but its answer was lost (${released.error.code}), and looking it up failed (${looked.error.code}): retry the request (releasing again is harmless)`,
    true,
  );
  return failedItem(identity, unknown, attempts) as Settled<I & ItemResult>;
}

/**
 * Resolves every requested keyword against one listing of the account. Two requested keywords
 * that name the same account keyword ("VANILLA" and { "Vanilla", "67076" }) are one item: released
 * once, reported once, where the first of them stood.
 */
async function resolveKeywords(
  requested: KeywordTarget[],
  caller: CallFireCaller,
): Promise<WorkItem[]> {
  const listing = await listAccountKeywords(caller);
  const seen = new Set<string>();
  const items: WorkItem[] = [];
  for (const target of requested) {
    const resolution = listing.ok ? matchKeyword(listing.value, target) : listing;
    if (resolution.ok) {
      const key = keywordKey(resolution.keyword);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    items.push({ kind: 'keyword', requested: target, resolution });
  }
  return items;
}

function failedItem<I extends Pick<ItemResult, 'kind'>>(
  identity: I,
  error: CallFireError,
  attempts: number,
): { result: I & ReturnType<typeof failedWith>; attempts: number; failure: CallFireError } {
  return { result: { ...identity, ...failedWith(error) }, attempts, failure: error };
}

function dryRunOutcome(lease: Lease): ItemOutcome {
  return lease.status === 'RELEASED' || lease.autoRenew === false
    ? 'alreadyReleased'
    : 'wouldRelease';
}

function keywordIdentity(target: KeywordTarget): { keyword: string; shortCode?: string } {
  return target.shortCode
    ? { keyword: target.keyword, shortCode: target.shortCode }
    : { keyword: target.keyword };
}

function isConfigurationError(value: unknown): value is ConfigurationError {
  return value instanceof ConfigurationError;
}
