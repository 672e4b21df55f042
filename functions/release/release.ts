import type { AccountKeyword, Credentials, Lease, NumberService } from './callfire/number-service';
import { mapWithConcurrency } from './concurrency';
import type { CredentialsSource } from './credentials/secret-credentials';
import { CallFireError, ConfigurationError, DependencyUnavailableError } from './errors';
import type { KeywordTarget, ReleaseRequest } from './request';
import type {
  ItemError,
  Outcome as ItemOutcome,
  ItemResult,
  KeywordResult,
  NumberResult,
  ReleaseResult,
} from './result';
import { summarize } from './result';
import {
  type Attempt,
  type Budget,
  callWithRetries,
  createBudget,
  type Outcome,
  type RetryPolicy,
} from './retry';

export type Operation = 'Release' | 'GetNumber' | 'QueryKeywords';

/** Told about every CallFire call and every settled item: the audit trail and the metrics. */
export interface ReleaseObserver {
  call(event: { operation: Operation; latencyMs: number; ok: boolean }): void;
  item(event: { result: ItemResult; attempts: number; latencyMs: number }): void;
}

/** The collaborators of a release, injected so the core runs without a Lambda around it. */
export interface ReleasePorts {
  numberService: NumberService;
  credentials: CredentialsSource;
  observer?: ReleaseObserver;
}

export interface ReleaseOptions {
  /** Time the CallFire calls may take in all, from now. */
  budgetMs: number;
  concurrency: number;
  retry: RetryPolicy;
  /** Named in the error when CallFire rejects the credentials it holds. */
  secretId: string;
}

/** QueryKeywords page size: CallFire's own default and maximum. */
const KEYWORD_PAGE_SIZE = 1_000;
/** Stops a misbehaving server from paging forever (100,000 keywords is far beyond any account). */
const MAX_KEYWORD_PAGES = 100;

const NO_OBSERVER: ReleaseObserver = { call: () => {}, item: () => {} };

/**
 * Releases (or, in a dry run, looks up) every item of a validated request.
 *
 * Credentials are read before anything is sent, so a missing or malformed secret fails the whole
 * request with nothing released. Item failures never throw: each item ends with an outcome.
 *
 * @throws ConfigurationError / DependencyUnavailableError when the credentials cannot be read, or
 *   when CallFire rejected them (also after a fresh read) and no item succeeded
 */
export async function releaseItems(
  request: ReleaseRequest,
  ports: ReleasePorts,
  options: ReleaseOptions,
): Promise<ReleaseResult> {
  // The budget starts before the secret is read: that read spends the same invocation time.
  const budget = createBudget(options.budgetMs);
  try {
    const run = new ReleaseRun(ports, options, budget, await ports.credentials.get());
    const results = await run.execute(request);
    // Nothing released and the credentials are the reason: a deployment problem, not an outcome.
    if (run.credentialsProblem && !results.some((result) => result.outcome !== 'failed')) {
      throw run.credentialsProblem;
    }
    return { dryRun: request.dryRun, summary: summarize(request.dryRun, results), results };
  } finally {
    budget.dispose();
  }
}

type WorkItem =
  | { kind: 'number'; number: string }
  | { kind: 'keyword'; requested: KeywordTarget; resolution: Resolution };
type Resolution = { ok: true; keyword: AccountKeyword } | { ok: false; error: CallFireError };

/** The state of one invocation's release: its budget, its credentials, its shared releases. */
class ReleaseRun {
  private readonly observer: ReleaseObserver;
  private credentials: Credentials;
  /** Set once CallFire rejected fresh credentials, or the fresh read itself failed for good. */
  credentialsProblem: ConfigurationError | undefined;
  // Two requested keywords can resolve to the same account keyword: release it once.
  private readonly keywordReleases = new Map<string, Promise<Outcome<void>>>();

  constructor(
    private readonly ports: ReleasePorts,
    private readonly options: ReleaseOptions,
    private readonly budget: Budget,
    credentials: Credentials,
  ) {
    this.observer = ports.observer ?? NO_OBSERVER;
    this.credentials = credentials;
  }

  async execute(request: ReleaseRequest): Promise<ItemResult[]> {
    const items: WorkItem[] = request.numbers.map((number) => ({ kind: 'number', number }));
    if (request.keywords.length > 0) items.push(...(await this.resolveKeywords(request.keywords)));
    return mapWithConcurrency(items, this.options.concurrency, async (item) => {
      const started = Date.now();
      const { result, attempts } =
        item.kind === 'number'
          ? await this.processNumber(item.number, request.dryRun)
          : await this.processKeyword(item, request.dryRun);
      this.observer.item({ result, attempts, latencyMs: Date.now() - started });
      return result;
    });
  }

  private async processNumber(
    number: string,
    dryRun: boolean,
  ): Promise<{ result: NumberResult; attempts: number }> {
    if (dryRun) {
      const outcome = await this.callCallFire('GetNumber', (credentials, attempt) =>
        this.ports.numberService.getNumber(number, { credentials, ...attempt }),
      );
      const result: NumberResult = outcome.ok
        ? { kind: 'number', number, outcome: dryRunOutcome(outcome.value), lease: outcome.value }
        : { kind: 'number', number, ...failed(outcome.error) };
      return { result, attempts: outcome.attempts };
    }
    const outcome = await this.callCallFire('Release', (credentials, attempt) =>
      this.ports.numberService.release({ number }, { credentials, ...attempt }),
    );
    const result: NumberResult = outcome.ok
      ? { kind: 'number', number, outcome: 'released' }
      : { kind: 'number', number, ...failed(outcome.error) };
    return { result, attempts: outcome.attempts };
  }

  private async processKeyword(
    item: Extract<WorkItem, { kind: 'keyword' }>,
    dryRun: boolean,
  ): Promise<{ result: KeywordResult; attempts: number }> {
    const { resolution, requested } = item;
    if (!resolution.ok) {
      const result: KeywordResult = {
        kind: 'keyword',
        ...keywordIdentity(requested),
        ...failed(resolution.error),
      };
      return { result, attempts: 0 };
    }
    const resolved = resolution.keyword;
    const identity = { keyword: resolved.keyword, shortCode: resolved.shortCode };
    if (dryRun) {
      const result: KeywordResult = {
        kind: 'keyword',
        ...identity,
        outcome: dryRunOutcome(resolved.lease),
        lease: resolved.lease,
      };
      return { result, attempts: 0 };
    }
    const key = `${resolved.shortCode}/${resolved.keyword}`;
    let release = this.keywordReleases.get(key);
    if (!release) {
      release = this.callCallFire('Release', (credentials, attempt) =>
        this.ports.numberService.release(
          { number: resolved.shortCode, keyword: resolved.keyword },
          { credentials, ...attempt },
        ),
      );
      this.keywordReleases.set(key, release);
    }
    const outcome = await release;
    const result: KeywordResult = outcome.ok
      ? { kind: 'keyword', ...identity, outcome: 'released' }
      : { kind: 'keyword', ...identity, ...failed(outcome.error) };
    return { result, attempts: outcome.attempts };
  }

  /**
   * Matches requested keywords to the account's, case-insensitively. Every keyword goes through
   * the account's list, pinned short code or not: CallFire matches the spelling exactly, so the
   * release must send the account's spelling, and a dry run needs the lease anyway.
   */
  private async resolveKeywords(requested: KeywordTarget[]): Promise<WorkItem[]> {
    const listing = await this.listAccountKeywords();
    return requested.map((target) => {
      if (!listing.ok) return { kind: 'keyword', requested: target, resolution: listing };
      const wanted = target.keyword.toUpperCase();
      const matches = listing.value.filter(
        (entry) =>
          entry.keyword.toUpperCase() === wanted &&
          (!target.shortCode || entry.shortCode === target.shortCode),
      );
      const [match] = matches;
      if (matches.length === 1 && match)
        return { kind: 'keyword', requested: target, resolution: { ok: true, keyword: match } };
      const error =
        matches.length === 0
          ? new CallFireError(
              'NOT_FOUND',
              `Keyword ${target.keyword} is not on the account${target.shortCode ? ` on short code ${target.shortCode}` : ''}`,
              false,
            )
          : new CallFireError(
              'AMBIGUOUS_KEYWORD',
              `Keyword ${target.keyword} is on short codes ${matches.map((entry) => entry.shortCode).join(', ')}: give "shortCode" to choose one`,
              false,
            );
      return { kind: 'keyword', requested: target, resolution: { ok: false, error } };
    });
  }

  private async listAccountKeywords(): Promise<Outcome<AccountKeyword[]>> {
    const keywords: AccountKeyword[] = [];
    let attempts = 0;
    for (let page = 0; page < MAX_KEYWORD_PAGES; page++) {
      const outcome = await this.callCallFire('QueryKeywords', (credentials, attempt) =>
        this.ports.numberService.queryKeywords(
          { firstResult: keywords.length, maxResults: KEYWORD_PAGE_SIZE },
          { credentials, ...attempt },
        ),
      );
      attempts += outcome.attempts;
      if (!outcome.ok) return { ...outcome, attempts };
      keywords.push(...outcome.value.keywords);
      if (outcome.value.keywords.length === 0 || keywords.length >= outcome.value.totalResults)
        break;
    }
    return { ok: true, value: keywords, attempts };
  }

  /**
   * One CallFire operation with retries, timing, and one fresh read of the secret after a 401.
   * Once CallFire has rejected fresh credentials, later items are not sent: more 401s would only
   * risk locking the account.
   */
  private async callCallFire<T>(
    operation: Operation,
    call: (credentials: Credentials, attempt: Attempt) => Promise<T>,
  ): Promise<Outcome<T>> {
    if (this.credentialsProblem) {
      return {
        ok: false,
        error: new CallFireError(
          'CREDENTIALS_REJECTED',
          'Not sent: CallFire rejected the API credentials',
          false,
        ),
        attempts: 0,
      };
    }
    let credentials = this.credentials;
    const attempt = () =>
      callWithRetries(
        (timing) => this.timed(operation, () => call(credentials, timing)),
        this.budget,
        this.options.retry,
      );
    const first = await attempt();
    if (first.ok || first.error.code !== 'CREDENTIALS_REJECTED') return first;
    try {
      credentials = await this.ports.credentials.refresh(credentials);
      this.credentials = credentials;
    } catch (error) {
      // The fresh read failed: the item keeps its outcome rather than sinking the whole request
      // (other items may already be released). Secrets Manager being down may pass; a secret
      // that is now missing or malformed will not, and then no later item is sent either.
      const passing = error instanceof DependencyUnavailableError;
      if (!passing) {
        this.credentialsProblem =
          error instanceof ConfigurationError
            ? error
            : new ConfigurationError(`Reading secret ${this.options.secretId} again failed`);
      }
      const reason = error instanceof Error ? error.message : 'unknown error';
      return {
        ok: false,
        error: new CallFireError(
          'CREDENTIALS_REJECTED',
          `CallFire rejected the API credentials (HTTP 401) and reading the secret again failed: ${reason}`,
          passing,
        ),
        attempts: first.attempts,
      };
    }
    const second = await attempt();
    if (!second.ok && second.error.code === 'CREDENTIALS_REJECTED') {
      this.credentialsProblem = new ConfigurationError(
        `CallFire rejected the API credentials in secret ${this.options.secretId} (HTTP 401), also after reading the secret again: check the username and password`,
      );
    }
    return { ...second, attempts: first.attempts + second.attempts };
  }

  private async timed<T>(operation: Operation, call: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const value = await call();
      this.observer.call({ operation, latencyMs: Date.now() - started, ok: true });
      return value;
    } catch (error) {
      this.observer.call({ operation, latencyMs: Date.now() - started, ok: false });
      throw error;
    }
  }
}

function dryRunOutcome(lease: Lease): ItemOutcome {
  return lease.status === 'RELEASED' || lease.autoRenew === false
    ? 'alreadyReleased'
    : 'wouldRelease';
}

function failed({ code, message, retryable }: CallFireError): {
  outcome: 'failed';
  error: ItemError;
} {
  return { outcome: 'failed', error: { code, message, retryable } };
}

function keywordIdentity(target: KeywordTarget): { keyword: string; shortCode?: string } {
  return target.shortCode
    ? { keyword: target.keyword, shortCode: target.shortCode }
    : { keyword: target.keyword };
}
