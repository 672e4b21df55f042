import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CallFireError,
  ConfigurationError,
  DependencyUnavailableError,
  PlanChangedError,
} from '../../functions/release/errors';
import { parseProtectedList } from '../../functions/release/protection/protected-list';
import {
  type ReleaseObserver,
  type ReleaseOptions,
  releaseItems,
} from '../../functions/release/release';
import type { ReleaseRequest } from '../../functions/release/request';
import { fakeCredentials, ROTATED, USER } from '../helpers/unit-credentials';
import {
  accountKeyword,
  activeLease,
  fakeNumberService,
  NO_CONFIGURATION,
} from '../helpers/unit-number-service';

const SECRET_ID = 'prod/callfire/api';

function givenOptions(overrides: Partial<ReleaseOptions> = {}): ReleaseOptions {
  return {
    budgetMs: 5_000,
    concurrency: 8,
    retry: { attempts: 3, callTimeoutMs: 1_000, baseDelayMs: 0, maxDelayMs: 0, minAttemptMs: 10 },
    secretId: SECRET_ID,
    ...overrides,
  };
}

function givenRequest(request: Partial<ReleaseRequest>): ReleaseRequest {
  return {
    numbers: [],
    keywords: [],
    dryRun: false,
    skipConfigured: false,
    ...(structuredClone(request) as Partial<ReleaseRequest>),
  } as ReleaseRequest;
}

function recordingObserver() {
  const calls: Parameters<ReleaseObserver['call']>[0][] = [];
  const items: Parameters<ReleaseObserver['item']>[0][] = [];
  const observer: ReleaseObserver = {
    call: (event) => calls.push(event),
    item: (event) => items.push(event),
  };
  return { observer, calls, items };
}

const unavailable = () => new CallFireError('UNAVAILABLE', 'CallFire fault UNAVAILABLE', true);
const rejected = () =>
  new CallFireError(
    'CREDENTIALS_REJECTED',
    'CallFire rejected the API credentials (HTTP 401)',
    false,
  );

describe('release core (releaseItems)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('numbers', () => {
    it('releases each number with Release{Number} and the credentials of the secret', async () => {
      // Prepare
      const numberService = fakeNumberService();
      const credentials = fakeCredentials();
      const request = givenRequest({ numbers: ['14255551212', '14255551213'] });

      // Act
      const result = await releaseItems(request, { numberService, credentials }, givenOptions());

      // Assess
      expect(result).toEqual({
        dryRun: false,
        summary: { requested: 2, released: 2, skipped: 0, failed: 0 },
        results: [
          { kind: 'number', number: '14255551212', outcome: 'released' },
          { kind: 'number', number: '14255551213', outcome: 'released' },
        ],
      });
      expect(numberService.calls.map((call) => [call.operation, call.args])).toStrictEqual([
        ['Release', { number: '14255551212' }],
        ['Release', { number: '14255551213' }],
      ]);
      expect(numberService.calls.map((call) => call.credentials)).toEqual([USER, USER]);
      expect(credentials.getCalls).toBe(1);
    });

    it('reports a failed number with its code and counts it', async () => {
      // Prepare
      const numberService = fakeNumberService({
        script: {
          '14255550000': [
            new CallFireError('NOT_FOUND', 'CallFire fault NOT_FOUND: no such number', false),
          ],
        },
      });
      const request = givenRequest({ numbers: ['14255551212', '14255550000', '14255551213'] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.summary).toEqual({ requested: 3, released: 2, skipped: 0, failed: 1 });
      expect(result.results[1]).toEqual({
        kind: 'number',
        number: '14255550000',
        outcome: 'failed',
        error: {
          code: 'NOT_FOUND',
          message: 'CallFire fault NOT_FOUND: no such number',
          retryable: false,
        },
      });
      expect(numberService.callsTo('Release')).toHaveLength(3);
    });

    it('retries a transient failure and reports the item released', async () => {
      // Prepare
      const numberService = fakeNumberService({ script: { '14255551212': [unavailable()] } });
      const request = givenRequest({ numbers: ['14255551212'] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.results).toEqual([
        { kind: 'number', number: '14255551212', outcome: 'released' },
      ]);
      expect(numberService.callsTo('Release')).toHaveLength(2);
    });

    it('fails an item retryably with the last code once the attempts are spent', async () => {
      // Prepare
      const numberService = fakeNumberService({
        script: { '14255551212': [unavailable(), unavailable(), unavailable()] },
      });
      const request = givenRequest({ numbers: ['14255551212'] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.results[0]?.error).toEqual({
        code: 'UNAVAILABLE',
        message: 'CallFire fault UNAVAILABLE',
        retryable: true,
      });
      expect(numberService.callsTo('Release')).toHaveLength(3);
    });

    it('fails OUTCOME_UNKNOWN (retryable) when the budget runs out during a Release it sent, and DEADLINE for one never sent', async () => {
      // Prepare
      const numberService = fakeNumberService({ script: { '14255551212': ['hang'] } });
      const request = givenRequest({ numbers: ['14255551212', '14255551213'] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions({ budgetMs: 300, concurrency: 1 }),
      );

      // Assess
      expect(result.results.map((item) => item.error)).toEqual([
        {
          code: 'OUTCOME_UNKNOWN',
          message: expect.stringContaining('Release was sent but its answer was lost (TIMEOUT)'),
          retryable: true,
        },
        {
          code: 'DEADLINE',
          message: "Not sent before the invocation's time ran out",
          retryable: true,
        },
      ]);
      expect(numberService.calls[0]?.signal.aborted).toBe(true);
      expect(numberService.callsTo('Release').map((call) => call.args.number)).toEqual([
        '14255551212',
      ]);
    });

    it('runs at most `concurrency` items at a time and keeps the request order', async () => {
      // Prepare
      const numbers = Array.from(
        { length: 10 },
        (_, index) => `1425555${String(index).padStart(4, '0')}`,
      );
      const numberService = fakeNumberService({ delayMs: 5 });
      const request = givenRequest({ numbers });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions({ concurrency: 3 }),
      );

      // Assess
      expect(numberService.maxInFlight).toBe(3);
      expect(result.results.map((item) => item.kind === 'number' && item.number)).toEqual(numbers);
    });
  });

  describe('keywords', () => {
    it('resolves a keyword case-insensitively and releases it in the account spelling on its short code', async () => {
      // Prepare
      const numberService = fakeNumberService({
        keywords: [accountKeyword('Chocolate', '67076'), accountKeyword('Vanilla', '67076')],
      });
      const request = givenRequest({ keywords: [{ keyword: 'VANILLA' }] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result).toEqual({
        dryRun: false,
        summary: { requested: 1, released: 1, skipped: 0, failed: 0 },
        results: [{ kind: 'keyword', keyword: 'Vanilla', shortCode: '67076', outcome: 'released' }],
      });
      expect(numberService.callsTo('Release').map((call) => call.args)).toStrictEqual([
        { number: '67076', keyword: 'Vanilla' },
      ]);
    });

    it('fails NOT_FOUND for a keyword the account does not have, sending no Release', async () => {
      // Prepare
      const numberService = fakeNumberService({ keywords: [accountKeyword('VANILLA', '67076')] });
      const request = givenRequest({ keywords: [{ keyword: 'MINT' }] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.results).toEqual([
        {
          kind: 'keyword',
          keyword: 'MINT',
          outcome: 'failed',
          error: {
            code: 'NOT_FOUND',
            message: 'Keyword MINT is not on the account',
            retryable: false,
          },
        },
      ]);
      expect(numberService.callsTo('Release')).toHaveLength(0);
    });

    it('fails AMBIGUOUS_KEYWORD listing the short codes when the keyword is on several', async () => {
      // Prepare
      const numberService = fakeNumberService({
        keywords: [accountKeyword('VANILLA', '67076'), accountKeyword('vanilla', '99000')],
      });
      const request = givenRequest({ keywords: [{ keyword: 'Vanilla' }] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.results[0]).toEqual({
        kind: 'keyword',
        keyword: 'Vanilla',
        outcome: 'failed',
        error: {
          code: 'AMBIGUOUS_KEYWORD',
          message: 'Keyword Vanilla is on short codes 67076, 99000: give "shortCode" to choose one',
          retryable: false,
        },
      });
      expect(numberService.callsTo('Release')).toHaveLength(0);
    });

    it('uses the pinned short code to choose among several', async () => {
      // Prepare
      const numberService = fakeNumberService({
        keywords: [accountKeyword('VANILLA', '67076'), accountKeyword('Vanilla', '99000')],
      });
      const request = givenRequest({ keywords: [{ keyword: 'vanilla', shortCode: '99000' }] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.results).toEqual([
        { kind: 'keyword', keyword: 'Vanilla', shortCode: '99000', outcome: 'released' },
      ]);
      expect(numberService.callsTo('Release').map((call) => call.args)).toStrictEqual([
        { number: '99000', keyword: 'Vanilla' },
      ]);
    });

    it('fails NOT_FOUND naming the pinned short code when the keyword is not on it', async () => {
      // Prepare
      const numberService = fakeNumberService({ keywords: [accountKeyword('VANILLA', '67076')] });
      const request = givenRequest({ keywords: [{ keyword: 'VANILLA', shortCode: '11111' }] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.results).toEqual([
        {
          kind: 'keyword',
          keyword: 'VANILLA',
          shortCode: '11111',
          outcome: 'failed',
          error: {
            code: 'NOT_FOUND',
            message: 'Keyword VANILLA is not on the account on short code 11111',
            retryable: false,
          },
        },
      ]);
    });

    it('reads every page of QueryKeywords, advancing firstResult', async () => {
      // Prepare
      const numberService = fakeNumberService({
        pageSize: 2,
        keywords: [
          accountKeyword('APPLE', '67076'),
          accountKeyword('BANANA', '67076'),
          accountKeyword('CHERRY', '67076'),
          accountKeyword('DATE', '67076'),
          accountKeyword('ELDER', '67076'),
        ],
      });
      const request = givenRequest({ keywords: [{ keyword: 'elder' }, { keyword: 'apple' }] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(numberService.callsTo('QueryKeywords').map((call) => call.args)).toEqual([
        { firstResult: 0, maxResults: 1_000 },
        { firstResult: 2, maxResults: 1_000 },
        { firstResult: 4, maxResults: 1_000 },
      ]);
      expect(
        result.results.map((item) => [item.kind === 'keyword' && item.keyword, item.outcome]),
      ).toEqual([
        ['ELDER', 'released'],
        ['APPLE', 'released'],
      ]);
    });

    it('queries the account once for all keywords of a request', async () => {
      // Prepare
      const numberService = fakeNumberService({
        keywords: [accountKeyword('VANILLA', '67076'), accountKeyword('MINT', '67076')],
      });
      const request = givenRequest({ keywords: [{ keyword: 'VANILLA' }, { keyword: 'MINT' }] });

      // Act
      await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(numberService.callsTo('QueryKeywords')).toHaveLength(1);
      expect(numberService.callsTo('Release')).toHaveLength(2);
    });

    it('sends one Release and reports one row when two requested keywords name the same account keyword', async () => {
      // Prepare
      const numberService = fakeNumberService({ keywords: [accountKeyword('VANILLA', '67076')] });
      const request = givenRequest({
        keywords: [{ keyword: 'vanilla' }, { keyword: 'Vanilla', shortCode: '67076' }],
      });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(numberService.callsTo('Release').map((call) => call.args)).toStrictEqual([
        { number: '67076', keyword: 'VANILLA' },
      ]);
      expect(result.results).toEqual([
        { kind: 'keyword', keyword: 'VANILLA', shortCode: '67076', outcome: 'released' },
      ]);
    });

    it('fails every keyword with the QueryKeywords failure and still releases the numbers', async () => {
      // Prepare
      const numberService = fakeNumberService({
        keywords: [accountKeyword('VANILLA', '67076')],
        script: { query: [unavailable(), unavailable(), unavailable()] },
      });
      const request = givenRequest({
        numbers: ['14255551212'],
        keywords: [{ keyword: 'VANILLA' }, { keyword: 'MINT', shortCode: '67076' }],
      });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      const error = { code: 'UNAVAILABLE', message: 'CallFire fault UNAVAILABLE', retryable: true };
      expect(result.results).toEqual([
        { kind: 'number', number: '14255551212', outcome: 'released' },
        { kind: 'keyword', keyword: 'VANILLA', outcome: 'failed', error },
        { kind: 'keyword', keyword: 'MINT', shortCode: '67076', outcome: 'failed', error },
      ]);
      expect(numberService.callsTo('QueryKeywords')).toHaveLength(3);
    });
  });

  describe('dry run', () => {
    it('looks items up without releasing, reporting wouldRelease / alreadyReleased with the lease', async () => {
      // Prepare
      const numberService = fakeNumberService({
        leases: {
          '14255551212': activeLease(),
          '14255551213': activeLease({ autoRenew: false }),
          '14255551214': activeLease({ status: 'RELEASED', autoRenew: true }),
        },
        keywords: [
          accountKeyword('VANILLA', '67076'),
          accountKeyword('CHOCOLATE', '67076', { autoRenew: false, leaseEnd: '2027-01-31' }),
        ],
      });
      const request = givenRequest({
        dryRun: true,
        numbers: ['14255551212', '14255551213', '14255551214', '14255550000'],
        keywords: [{ keyword: 'vanilla' }, { keyword: 'chocolate' }],
      });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result).toEqual({
        dryRun: true,
        summary: { requested: 6, wouldRelease: 2, alreadyReleased: 3, skipped: 0, failed: 1 },
        results: [
          {
            kind: 'number',
            number: '14255551212',
            outcome: 'wouldRelease',
            lease: activeLease(),
            configuration: NO_CONFIGURATION,
          },
          {
            kind: 'number',
            number: '14255551213',
            outcome: 'alreadyReleased',
            lease: activeLease({ autoRenew: false }),
            configuration: NO_CONFIGURATION,
          },
          {
            kind: 'number',
            number: '14255551214',
            outcome: 'alreadyReleased',
            lease: activeLease({ status: 'RELEASED' }),
            configuration: NO_CONFIGURATION,
          },
          {
            kind: 'number',
            number: '14255550000',
            outcome: 'failed',
            error: {
              code: 'NOT_FOUND',
              message: 'CallFire fault NOT_FOUND: 14255550000',
              retryable: false,
            },
          },
          {
            kind: 'keyword',
            keyword: 'VANILLA',
            shortCode: '67076',
            outcome: 'wouldRelease',
            lease: activeLease(),
          },
          {
            kind: 'keyword',
            keyword: 'CHOCOLATE',
            shortCode: '67076',
            outcome: 'alreadyReleased',
            lease: activeLease({ autoRenew: false, leaseEnd: '2027-01-31' }),
          },
        ],
        plan: { hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });
      expect(numberService.callsTo('Release')).toHaveLength(0);
      expect(numberService.callsTo('GetNumber').map((call) => call.args.number)).toEqual([
        '14255551212',
        '14255551213',
        '14255551214',
        '14255550000',
      ]);
      expect(numberService.callsTo('QueryKeywords')).toHaveLength(1);
    });
  });

  describe('credentials', () => {
    it('reads the secret afresh once after a 401 and tries the item again with the new credentials', async () => {
      // Prepare
      const numberService = fakeNumberService({ acceptedPasswords: [ROTATED.password] });
      const credentials = fakeCredentials({ rotated: ROTATED });
      const request = givenRequest({ numbers: ['14255551212'] });

      // Act
      const result = await releaseItems(request, { numberService, credentials }, givenOptions());

      // Assess
      expect(result.results).toEqual([
        { kind: 'number', number: '14255551212', outcome: 'released' },
      ]);
      expect(numberService.calls.map((call) => call.credentials.password)).toEqual([
        USER.password,
        ROTATED.password,
      ]);
      expect(credentials.reads).toBe(2);
      expect(credentials.refreshCalls).toEqual([USER]);
    });

    it('shares one fresh read among concurrent 401s, each passing the credentials CallFire rejected', async () => {
      // Prepare
      const numbers = ['14255551212', '14255551213', '14255551214', '14255551215', '14255551216'];
      const numberService = fakeNumberService({
        acceptedPasswords: [ROTATED.password],
        delayMs: 5,
      });
      const credentials = fakeCredentials({ rotated: ROTATED, readDelayMs: 5 });
      const request = givenRequest({ numbers });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials },
        givenOptions({ concurrency: 5 }),
      );

      // Assess
      expect(result.summary).toEqual({ requested: 5, released: 5, skipped: 0, failed: 0 });
      expect(credentials.reads).toBe(2);
      const [firstHeld] = numberService.calls.map((call) => call.credentials);
      for (const stale of credentials.refreshCalls) expect(stale).toBe(firstHeld);
      expect(credentials.refreshCalls.length).toBeGreaterThanOrEqual(1);
      expect(
        numberService.calls.filter((call) => call.credentials.password === ROTATED.password),
      ).toHaveLength(5);
    });

    it('uses the new credentials for items started after a refresh, with no further read', async () => {
      // Prepare
      const numberService = fakeNumberService({ acceptedPasswords: [ROTATED.password] });
      const credentials = fakeCredentials({ rotated: ROTATED });
      const request = givenRequest({ numbers: ['14255551212', '14255551213', '14255551214'] });

      // Act
      await releaseItems(request, { numberService, credentials }, givenOptions({ concurrency: 1 }));

      // Assess
      expect(numberService.calls.map((call) => call.credentials.password)).toEqual([
        USER.password,
        ROTATED.password,
        ROTATED.password,
        ROTATED.password,
      ]);
      expect(credentials.reads).toBe(2);
    });

    it('throws a ConfigurationError naming the secret when fresh credentials are rejected too and nothing succeeded', async () => {
      // Prepare
      const numberService = fakeNumberService({ acceptedPasswords: ['neither-of-them'] });
      const credentials = fakeCredentials({ rotated: ROTATED });
      const request = givenRequest({ numbers: ['14255551212', '14255551213', '14255551214'] });

      // Act
      const outcome = releaseItems(
        request,
        { numberService, credentials },
        givenOptions({ concurrency: 1 }),
      );

      // Assess
      await expect(outcome).rejects.toThrow(ConfigurationError);
      await expect(outcome).rejects.toThrow(
        `CallFire rejected the API credentials in secret ${SECRET_ID} (HTTP 401), also after reading the secret again`,
      );
      // The first item was tried with both credentials; the later ones were not sent.
      expect(
        numberService.calls.map((call) => [call.args.number, call.credentials.password]),
      ).toEqual([
        ['14255551212', USER.password],
        ['14255551212', ROTATED.password],
      ]);
      expect(credentials.reads).toBe(2);
    });

    it('returns the result, later items not sent, when fresh credentials are rejected after a success', async () => {
      // Prepare
      const numberService = fakeNumberService({
        script: { '14255551213': [rejected(), rejected()], '14255551214': [rejected()] },
      });
      const credentials = fakeCredentials({ rotated: ROTATED });
      const request = givenRequest({ numbers: ['14255551212', '14255551213', '14255551214'] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials },
        givenOptions({ concurrency: 1 }),
      );

      // Assess
      expect(result.summary).toEqual({ requested: 3, released: 1, skipped: 0, failed: 2 });
      expect(result.results.map((item) => item.error?.code ?? item.outcome)).toEqual([
        'released',
        'CREDENTIALS_REJECTED',
        'CREDENTIALS_REJECTED',
      ]);
      expect(result.results[2]?.error).toEqual({
        code: 'CREDENTIALS_REJECTED',
        message: 'Not sent: CallFire rejected the API credentials',
        retryable: false,
      });
      expect(numberService.callsTo('Release').map((call) => call.args.number)).toEqual([
        '14255551212',
        '14255551213',
        '14255551213',
      ]);
    });

    it.each([
      ['ConfigurationError', () => new ConfigurationError(`Secret ${SECRET_ID} was not found`)],
      [
        'DependencyUnavailableError',
        () =>
          new DependencyUnavailableError(
            `Secrets Manager is throttling requests reading secret ${SECRET_ID}`,
          ),
      ],
    ])('propagates a %s from reading the credentials before any call', async (_case, build) => {
      // Prepare
      const failure = build();
      const numberService = fakeNumberService();
      const credentials = fakeCredentials({ getError: failure });
      const request = givenRequest({
        numbers: ['14255551212'],
        keywords: [{ keyword: 'VANILLA' }],
      });

      // Act
      const outcome = releaseItems(request, { numberService, credentials }, givenOptions());

      // Assess
      await expect(outcome).rejects.toBe(failure);
      expect(numberService.calls).toHaveLength(0);
    });

    it('fails the item retryably, and sends no later item, when Secrets Manager is down for the fresh read', async () => {
      // Prepare
      const outage = new DependencyUnavailableError(
        `Secrets Manager is unavailable (InternalServiceError) reading secret ${SECRET_ID}`,
      );
      const numberService = fakeNumberService({ acceptedPasswords: [ROTATED.password] });
      const credentials = fakeCredentials({ rotated: ROTATED, refreshError: outage });
      const request = givenRequest({ numbers: ['14255551212', '14255551213'] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials },
        givenOptions({ concurrency: 1 }),
      );

      // Assess
      const error = {
        code: 'CREDENTIALS_REJECTED',
        message: `CallFire rejected the API credentials (HTTP 401) and reading the secret again failed: ${outage.message}`,
        retryable: true,
      };
      expect(result).toEqual({
        dryRun: false,
        summary: { requested: 2, released: 0, skipped: 0, failed: 2 },
        results: [
          { kind: 'number', number: '14255551212', outcome: 'failed', error },
          { kind: 'number', number: '14255551213', outcome: 'failed', error },
        ],
      });
      // Later items would only get another 401 with the credentials CallFire just rejected.
      expect(numberService.callsTo('Release').map((call) => call.args.number)).toEqual([
        '14255551212',
      ]);
    });

    it('keeps a success and stops sending when the secret has become unreadable at the fresh read', async () => {
      // Prepare
      const gone = new ConfigurationError(`Secret ${SECRET_ID} was not found`);
      const numberService = fakeNumberService({ script: { '14255551213': [rejected()] } });
      const credentials = fakeCredentials({ refreshError: gone });
      const request = givenRequest({ numbers: ['14255551212', '14255551213', '14255551214'] });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials },
        givenOptions({ concurrency: 1 }),
      );

      // Assess
      expect(
        result.results.map((item) => [item.outcome, item.error?.code, item.error?.retryable]),
      ).toEqual([
        ['released', undefined, undefined],
        ['failed', 'CREDENTIALS_REJECTED', false],
        ['failed', 'CREDENTIALS_REJECTED', false],
      ]);
      expect(result.results[1]?.error?.message).toBe(
        `CallFire rejected the API credentials (HTTP 401) and reading the secret again failed: ${gone.message}`,
      );
      expect(numberService.callsTo('Release').map((call) => call.args.number)).toEqual([
        '14255551212',
        '14255551213',
      ]);
    });

    // Requirement: "Secret not found, access denied, not JSON, or missing a field: ConfigurationError
    // naming the problem and the secret id." When the fresh read after a 401 finds the secret gone
    // and nothing succeeded, the whole-request error must say so, not "check the username and
    // password" after a read that never happened.
    it('names the secret problem when the fresh read fails with a ConfigurationError and nothing succeeded', async () => {
      // Prepare
      const gone = new ConfigurationError(`Secret ${SECRET_ID} was not found`);
      const numberService = fakeNumberService({ acceptedPasswords: [ROTATED.password] });
      const credentials = fakeCredentials({ refreshError: gone });
      const request = givenRequest({ numbers: ['14255551212'] });

      // Act
      const outcome = releaseItems(request, { numberService, credentials }, givenOptions());

      // Assess
      await expect(outcome).rejects.toThrow(ConfigurationError);
      await expect(outcome).rejects.toThrow(`Secret ${SECRET_ID} was not found`);
    });
  });

  describe('budget', () => {
    // `budgetMs` is "time the CallFire calls may take in all, from now": the caller derived it from
    // the invocation's remaining time, so time spent reading the secret must come out of it.
    it('counts the time spent reading the credentials against the budget', async () => {
      // Prepare
      vi.useFakeTimers();
      const numberService = fakeNumberService({ script: { '14255551212': ['hang'] } });
      const credentials = fakeCredentials({ readDelayMs: 10_000 });
      const request = givenRequest({ numbers: ['14255551212'] });
      const options = givenOptions({
        budgetMs: 25_000,
        retry: { ...givenOptions().retry, callTimeoutMs: 120_000 },
      });
      const start = Date.now();

      // Act
      const pending = releaseItems(request, { numberService, credentials }, options);
      await vi.advanceTimersByTimeAsync(40_000);
      const result = await pending;

      // Assess: sent at 10 s, cut off at 25 s with no time left to look it up.
      expect(result.results[0]?.error?.code).toBe('OUTCOME_UNKNOWN');
      const [call] = numberService.calls;
      expect((call?.startedAt ?? Number.NaN) - start).toBe(10_000);
      expect((call?.abortedAt ?? Number.NaN) - start).toBe(25_000);
    });
  });

  describe('observer', () => {
    it('is told of every call attempt and of every item once', async () => {
      // Prepare
      const numberService = fakeNumberService({
        keywords: [accountKeyword('VANILLA', '67076')],
        script: { '14255551212': [unavailable()] },
      });
      const { observer, calls, items } = recordingObserver();
      const request = givenRequest({
        numbers: ['14255551212', '14255551213'],
        keywords: [{ keyword: 'VANILLA' }],
      });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials(), observer },
        givenOptions({ concurrency: 1 }),
      );

      // Assess
      expect(calls.map(({ operation, ok }) => [operation, ok])).toEqual([
        ['QueryKeywords', true],
        ['Release', false],
        ['Release', true],
        ['Release', true],
        ['Release', true],
      ]);
      expect(calls.every((call) => call.latencyMs >= 0)).toBe(true);
      expect(items.map(({ result: item, attempts }) => [item, attempts])).toEqual([
        [result.results[0], 2],
        [result.results[1], 1],
        [result.results[2], 1],
      ]);
    });

    it('reports an unresolved keyword as an item with 0 attempts', async () => {
      // Prepare
      const numberService = fakeNumberService({ keywords: [] });
      const { observer, calls, items } = recordingObserver();
      const request = givenRequest({ keywords: [{ keyword: 'MINT' }] });

      // Act
      await releaseItems(
        request,
        { numberService, credentials: fakeCredentials(), observer },
        givenOptions(),
      );

      // Assess
      expect(calls.map((call) => call.operation)).toEqual(['QueryKeywords']);
      expect(items).toHaveLength(1);
      expect(items[0]?.attempts).toBe(0);
      expect(items[0]?.result.error?.code).toBe('NOT_FOUND');
    });
  });

  describe('answers lost after sending', () => {
    it('reports released, verified, a number whose Release was applied though its answer was lost', async () => {
      // Prepare: the first Release is applied and its answer lost; the retries get no answer.
      const numberService = fakeNumberService({
        script: { '14255551212': ['lost', 'hang', 'hang'] },
        leases: { '14255551212': activeLease() },
      });
      const request = givenRequest({ numbers: ['14255551212'] });
      const options = givenOptions({ retry: { ...givenOptions().retry, callTimeoutMs: 50 } });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        options,
      );

      // Assess
      expect(result.results).toEqual([
        { kind: 'number', number: '14255551212', outcome: 'released', verified: true },
      ]);
      expect(result.summary).toEqual({ requested: 1, released: 1, skipped: 0, failed: 0 });
      expect(numberService.calls.map((call) => call.operation)).toEqual([
        'Release',
        'Release',
        'Release',
        'GetNumber',
      ]);
    });

    it('keeps the failure when the look-up shows auto-renew still on', async () => {
      // Prepare
      const numberService = fakeNumberService({
        script: { '14255551212': ['hang', 'hang', 'hang'] },
        leases: { '14255551212': activeLease() },
      });
      const options = givenOptions({ retry: { ...givenOptions().retry, callTimeoutMs: 50 } });

      // Act
      const result = await releaseItems(
        givenRequest({ numbers: ['14255551212'] }),
        { numberService, credentials: fakeCredentials() },
        options,
      );

      // Assess
      expect(result.results[0]).toMatchObject({
        outcome: 'failed',
        error: { code: 'TIMEOUT', retryable: true },
      });
    });

    it('says OUTCOME_UNKNOWN when the look-up fails too', async () => {
      // Prepare
      const numberService = fakeNumberService({
        script: {
          '14255551212': ['hang', 'hang', 'hang'],
          'get:14255551212': [unavailable(), unavailable(), unavailable()],
        },
      });
      const options = givenOptions({ retry: { ...givenOptions().retry, callTimeoutMs: 50 } });

      // Act
      const result = await releaseItems(
        givenRequest({ numbers: ['14255551212'] }),
        { numberService, credentials: fakeCredentials() },
        options,
      );

      // Assess
      expect(result.results[0]?.error).toEqual({
        code: 'OUTCOME_UNKNOWN',
        message:
          'Release was sent but its answer was lost (TIMEOUT), and looking it up failed (UNAVAILABLE): retry the request (releasing again is harmless)',
        retryable: true,
      });
    });

    it('verifies keywords through the account listing', async () => {
      // Prepare: both Releases are applied, and every answer is lost.
      const numberService = fakeNumberService({
        keywords: [accountKeyword('VANILLA', '67076'), accountKeyword('MINT', '67076')],
        script: {
          '67076/VANILLA': ['lost', 'hang', 'hang'],
          '67076/MINT': ['lost', 'hang', 'hang'],
        },
      });
      const request = givenRequest({ keywords: [{ keyword: 'VANILLA' }, { keyword: 'MINT' }] });
      const options = givenOptions({ retry: { ...givenOptions().retry, callTimeoutMs: 50 } });

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        options,
      );

      // Assess
      expect(result.results.map((item) => [item.outcome, item.verified])).toEqual([
        ['released', true],
        ['released', true],
      ]);
      // The listing that resolved them, then at least one taken after the Releases.
      expect(numberService.callsTo('QueryKeywords').length).toBeGreaterThanOrEqual(2);
    });

    it('never verifies a keyword with a listing taken before its Release', async () => {
      // Prepare: one at a time, so the second keyword's Release is applied after the first one's
      // verification listed the account.
      const numberService = fakeNumberService({
        keywords: [accountKeyword('VANILLA', '67076'), accountKeyword('MINT', '67076')],
        script: {
          '67076/VANILLA': ['lost', 'hang', 'hang'],
          '67076/MINT': ['lost', 'hang', 'hang'],
        },
      });
      const request = givenRequest({ keywords: [{ keyword: 'VANILLA' }, { keyword: 'MINT' }] });
      const retry = { ...givenOptions().retry, callTimeoutMs: 50 };

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials() },
        givenOptions({ concurrency: 1, retry }),
      );

      // Assess: the resolution, then one fresh listing per verification.
      expect(result.results.map((item) => [item.outcome, item.verified])).toEqual([
        ['released', true],
        ['released', true],
      ]);
      expect(numberService.callsTo('QueryKeywords')).toHaveLength(3);
    });
  });

  describe('the account listing', () => {
    it('counts a keyword listed twice on one short code once, not as ambiguous', async () => {
      // Prepare
      const numberService = fakeNumberService({
        keywords: [accountKeyword('VANILLA', '67076'), accountKeyword('VANILLA', '67076')],
      });

      // Act
      const result = await releaseItems(
        givenRequest({ keywords: [{ keyword: 'VANILLA' }] }),
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.results).toEqual([
        { kind: 'keyword', keyword: 'VANILLA', shortCode: '67076', outcome: 'released' },
      ]);
    });

    it('stops at once, with a clear failure, when the server ignores FirstResult', async () => {
      // Prepare
      const numberService = fakeNumberService({
        keywords: [
          accountKeyword('VANILLA', '67076'),
          accountKeyword('MINT', '67076'),
          accountKeyword('LEMON', '67076'),
        ],
        pageSize: 2,
        ignoreFirstResult: true,
      });

      // Act
      const result = await releaseItems(
        givenRequest({ keywords: [{ keyword: 'LEMON' }] }),
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(numberService.callsTo('QueryKeywords')).toHaveLength(2);
      expect(result.results[0]?.error).toMatchObject({
        code: 'UPSTREAM_INVALID',
        message: expect.stringContaining('the server ignores FirstResult'),
        retryable: false,
      });
    });
  });

  describe('rejected credentials', () => {
    it('sends at most concurrency + 1 requests that get a 401 and reads the secret afresh once', async () => {
      // Prepare: a rotated password that is not in the secret yet.
      const numbers = Array.from(
        { length: 20 },
        (_, index) => `142555510${String(index).padStart(2, '0')}`,
      );
      const numberService = fakeNumberService({
        acceptedPasswords: ['not-in-the-secret'],
        delayMs: 5,
      });
      const credentials = fakeCredentials();

      // Act
      const outcome = releaseItems(
        givenRequest({ numbers }),
        { numberService, credentials },
        givenOptions({ concurrency: 8 }),
      );

      // Assess
      await expect(outcome).rejects.toThrow(ConfigurationError);
      expect(numberService.calls.length).toBeLessThanOrEqual(9);
      expect(credentials.reads).toBe(2);
    });

    it('lets concurrent items wait for one probe with the fresh credentials', async () => {
      // Prepare
      const numbers = Array.from(
        { length: 12 },
        (_, index) => `142555510${String(index).padStart(2, '0')}`,
      );
      const numberService = fakeNumberService({
        acceptedPasswords: [ROTATED.password],
        delayMs: 5,
      });
      const credentials = fakeCredentials({ rotated: ROTATED, readDelayMs: 5 });

      // Act
      const result = await releaseItems(
        givenRequest({ numbers }),
        { numberService, credentials },
        givenOptions({ concurrency: 4 }),
      );

      // Assess: at most 4 sent with the old password, then every item once with the new one.
      expect(result.summary).toEqual({ requested: 12, released: 12, skipped: 0, failed: 0 });
      const stale = numberService.calls.filter(
        (call) => call.credentials.password === USER.password,
      );
      expect(stale.length).toBeLessThanOrEqual(4);
      expect(
        numberService.calls.filter((call) => call.credentials.password === ROTATED.password),
      ).toHaveLength(12);
      expect(credentials.reads).toBe(2);
    });
  });

  describe('protected items', () => {
    const protectedItems = (text: string) => ({
      get: async () => parseProtectedList(text, 'parameter /test'),
    });

    it('skips protected numbers and keywords unsent, in every mode, and releases the rest', async () => {
      // Prepare
      const numberService = fakeNumberService({
        keywords: [
          accountKeyword('VANILLA', '67076'),
          accountKeyword('MintChip', '67076'),
          accountKeyword('LEMON', '67076'),
        ],
      });
      const request = givenRequest({
        numbers: ['14255551212', '14255551213'],
        keywords: [
          { keyword: 'vanilla' },
          { keyword: 'mintchip' },
          { keyword: 'LEMON', shortCode: '67076' },
        ],
      });
      const list = protectedItems('# ours\n+1 425 555 1213\nVANILLA\n67076/MINTCHIP');

      // Act
      const result = await releaseItems(
        request,
        { numberService, credentials: fakeCredentials(), protectedItems: list },
        givenOptions(),
      );

      // Assess
      expect(result.results.map((item) => [item.outcome, item.reason])).toEqual([
        ['released', undefined],
        ['skipped', 'PROTECTED'],
        ['skipped', 'PROTECTED'],
        ['skipped', 'PROTECTED'],
        ['released', undefined],
      ]);
      expect(result.summary).toEqual({ requested: 5, released: 2, skipped: 3, failed: 0 });
      expect(numberService.callsTo('Release').map((call) => call.args)).toEqual([
        { number: '14255551212' },
        { number: '67076', keyword: 'LEMON' },
      ]);
    });

    it('does not even list the account when every keyword is protected on every short code', async () => {
      // Prepare
      const numberService = fakeNumberService({ keywords: [accountKeyword('VANILLA', '67076')] });

      // Act
      const result = await releaseItems(
        givenRequest({ keywords: [{ keyword: 'VANILLA' }] }),
        {
          numberService,
          credentials: fakeCredentials(),
          protectedItems: protectedItems('vanilla'),
        },
        givenOptions(),
      );

      // Assess
      expect(result.results).toEqual([
        { kind: 'keyword', keyword: 'VANILLA', outcome: 'skipped', reason: 'PROTECTED' },
      ]);
      expect(numberService.calls).toEqual([]);
    });

    it('shows protected items skipped in a dry run, without looking them up', async () => {
      // Prepare
      const numberService = fakeNumberService({ leases: { '14255551212': activeLease() } });

      // Act
      const result = await releaseItems(
        givenRequest({ dryRun: true, numbers: ['14255551213'] }),
        {
          numberService,
          credentials: fakeCredentials(),
          protectedItems: protectedItems('14255551213'),
        },
        givenOptions(),
      );

      // Assess
      expect(result.results).toEqual([
        { kind: 'number', number: '14255551213', outcome: 'skipped', reason: 'PROTECTED' },
      ]);
      expect(result.summary).toEqual({
        requested: 1,
        wouldRelease: 0,
        alreadyReleased: 0,
        skipped: 1,
        failed: 0,
      });
      expect(numberService.calls).toEqual([]);
    });

    it('fails closed: a list that cannot be read releases nothing', async () => {
      // Prepare
      const numberService = fakeNumberService();
      const broken = {
        get: async () => parseProtectedList('not a number!', 'parameter /test'),
      };

      // Act
      const outcome = releaseItems(
        givenRequest({ numbers: ['14255551212'] }),
        { numberService, credentials: fakeCredentials(), protectedItems: broken },
        givenOptions(),
      );

      // Assess
      await expect(outcome).rejects.toThrow(ConfigurationError);
      await expect(outcome).rejects.toThrow('Protected items parameter /test, line 1');
      expect(numberService.calls).toEqual([]);
    });
  });

  describe('numbers in use (skipConfigured)', () => {
    const configurations = {
      '14255551212': { callFeature: 'ENABLED', inbound: 'IVR' },
      '14255551213': { callFeature: 'ENABLED', inbound: 'TRACKING' },
    } as const;
    const leases = {
      '14255551212': activeLease(),
      '14255551213': activeLease(),
      '14255551214': activeLease(),
    };

    it('skips numbers with an inbound IVR or call tracking, one GetNumber each, and releases bare ones', async () => {
      // Prepare
      const numberService = fakeNumberService({ leases, configurations });

      // Act
      const result = await releaseItems(
        givenRequest({ skipConfigured: true, numbers: Object.keys(leases) }),
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(
        result.results.map((item) => [item.outcome, item.reason, item.configuration?.inbound]),
      ).toEqual([
        ['skipped', 'CONFIGURED', 'IVR'],
        ['skipped', 'CONFIGURED', 'TRACKING'],
        ['released', undefined, undefined],
      ]);
      expect(numberService.callsTo('GetNumber')).toHaveLength(3);
      expect(numberService.callsTo('Release').map((call) => call.args.number)).toEqual([
        '14255551214',
      ]);
    });

    it('releases configured numbers when not asked to skip them, with no look-up', async () => {
      // Prepare
      const numberService = fakeNumberService({ leases, configurations });

      // Act
      const result = await releaseItems(
        givenRequest({ numbers: Object.keys(leases) }),
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.summary).toEqual({ requested: 3, released: 3, skipped: 0, failed: 0 });
      expect(numberService.callsTo('GetNumber')).toHaveLength(0);
    });

    it("reports each number's configuration in a dry run", async () => {
      // Prepare
      const numberService = fakeNumberService({ leases, configurations });

      // Act
      const result = await releaseItems(
        givenRequest({ dryRun: true, numbers: Object.keys(leases) }),
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.results.map((item) => item.configuration)).toEqual([
        { callFeature: 'ENABLED', textFeature: null, inbound: 'IVR' },
        { callFeature: 'ENABLED', textFeature: null, inbound: 'TRACKING' },
        { callFeature: null, textFeature: null, inbound: null },
      ]);
      expect(result.results.map((item) => item.outcome)).toEqual([
        'wouldRelease',
        'wouldRelease',
        'wouldRelease',
      ]);
    });
  });

  describe('plans', () => {
    const leases = {
      '14255551212': activeLease(),
      '14255551213': activeLease({ autoRenew: false }),
    };
    const dryRunOf = async (numberService: ReturnType<typeof fakeNumberService>) =>
      releaseItems(
        givenRequest({ dryRun: true, numbers: Object.keys(leases) }),
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

    it('releases exactly what the reviewed plan planned wouldRelease', async () => {
      // Prepare
      const numberService = fakeNumberService({ leases });
      const { plan } = await dryRunOf(numberService);

      // Act
      const result = await releaseItems(
        givenRequest({ numbers: Object.keys(leases), planHash: plan?.hash ?? '' }),
        { numberService, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      expect(result.results).toEqual([
        { kind: 'number', number: '14255551212', outcome: 'released' },
        { kind: 'number', number: '14255551213', outcome: 'skipped', reason: 'ALREADY_RELEASED' },
      ]);
      expect(numberService.callsTo('Release').map((call) => call.args.number)).toEqual([
        '14255551212',
      ]);
    });

    it('releases nothing when the account changed since the plan, and hands back the fresh plan', async () => {
      // Prepare
      const { plan } = await dryRunOf(fakeNumberService({ leases }));
      const changed = fakeNumberService({
        leases: { ...leases, '14255551212': activeLease({ leaseEnd: '2027-01-31' }) },
      });

      // Act
      const outcome = releaseItems(
        givenRequest({ numbers: Object.keys(leases), planHash: plan?.hash ?? '' }),
        { numberService: changed, credentials: fakeCredentials() },
        givenOptions(),
      );

      // Assess
      const error = await outcome.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(PlanChangedError);
      const details = (error as PlanChangedError).http.details as {
        plan: { hash: string; items: unknown[] };
      };
      expect(details.plan.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(details.plan.hash).not.toBe(plan?.hash);
      expect(details.plan.items).toContainEqual(
        expect.objectContaining({ item: '14255551212', leaseEnd: '2027-01-31' }),
      );
      expect(changed.callsTo('Release')).toHaveLength(0);
    });
  });
});
