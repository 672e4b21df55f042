import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda-context';
import { type StandIns, startStandIns } from '../../local/stand-ins';
import { busEvent, httpApiEvent, scheduledEvent } from '../fixtures/events';
import { type BundledHandler, captureOutput, loadBundledHandler } from '../helpers/bundled-handler';
import { type HttpAnswer, invokeHttp } from '../helpers/http-answer';

const PARAMETER = '/callfire-release/test/protected-items';
const output = captureOutput();
let standIns: StandIns;

function container(env: Record<string, string | undefined> = {}): BundledHandler {
  return loadBundledHandler({
    ...standIns.env,
    PROTECTED_ITEMS_PARAMETER: PARAMETER,
    PROTECTED_ITEMS_TTL_SECONDS: '0',
    CALLFIRE_TIMEOUT_MS: undefined,
    RELEASE_CONCURRENCY: undefined,
    MAX_EVENT_AGE_SECONDS: undefined,
    ...env,
  });
}

/** A release request over the HTTP API. */
function http(handler: BundledHandler, request: object): Promise<HttpAnswer> {
  return invokeHttp(handler, httpApiEvent({ body: JSON.stringify(request) }));
}

const releaseCalls = () => standIns.sandbox.calls.filter((call) => call.operation === 'Release');
const outcomes = (answer: HttpAnswer) =>
  answer.body.results?.map((item) => [item.number ?? item.keyword, item.outcome, item.reason]);

beforeAll(async () => {
  standIns = await startStandIns();
});

afterAll(async () => {
  output.restore();
  await standIns?.close();
});

beforeEach(() => {
  standIns.sandbox.reset();
  standIns.ssm.reset();
  standIns.ssm.putParameter(PARAMETER, '# none\n');
});

describe('protected items', () => {
  it('are never sent, in every form the list accepts, and everything else is released', async () => {
    standIns.ssm.putParameter(
      PARAMETER,
      '# ours\n+1 (425) 555-1213\n425.555.1214  # the lobby\nvanilla\n67076/MintChip\n',
    );
    const handler = container();

    const answer = await http(handler, {
      numbers: ['14255551212', '4255551213', '+1 425 555 1214'],
      keywords: ['VANILLA', 'mintchip', { keyword: 'CHOCOLATE', shortCode: '99000' }],
      confirmKeywordRelease: true,
    });

    expect(answer.statusCode).toBe(200);
    expect(outcomes(answer)).toEqual([
      ['14255551212', 'released', undefined],
      ['14255551213', 'skipped', 'PROTECTED'],
      ['14255551214', 'skipped', 'PROTECTED'],
      ['VANILLA', 'skipped', 'PROTECTED'],
      ['MintChip', 'skipped', 'PROTECTED'],
      ['CHOCOLATE', 'released', undefined],
    ]);
    expect(answer.body.summary).toEqual({ requested: 6, released: 2, skipped: 4, failed: 0 });
    expect(releaseCalls().map((call) => call.keyword ?? call.number)).toEqual([
      '14255551212',
      'CHOCOLATE',
    ]);
  });

  it('show as skipped in a dry run, without being looked up', async () => {
    standIns.ssm.putParameter(PARAMETER, '14255551213');
    const handler = container();

    const answer = await http(handler, { numbers: ['14255551213'], dryRun: true });

    expect(outcomes(answer)).toEqual([['14255551213', 'skipped', 'PROTECTED']]);
    expect(standIns.sandbox.calls).toEqual([]);
  });

  it.each([
    ['missing', () => standIns.ssm.deleteParameter(PARAMETER), 500, 'was not found'],
    [
      'malformed (a bad line, named with its number)',
      () => standIns.ssm.putParameter(PARAMETER, '# ok\n14255551213\nnot a number!\n'),
      500,
      'line 3',
    ],
    ['access denied', () => standIns.ssm.denyAccess(PARAMETER), 500, 'access denied'],
    [
      'unavailable',
      () => standIns.ssm.failNext('ServiceUnavailable', 10),
      503,
      'SSM Parameter Store',
    ],
  ])(
    'fail closed when the list is %s: nothing is released',
    async (_case, arrange, status, words) => {
      arrange();
      const handler = container();

      const answer = await http(handler, { numbers: ['14255551212'] });

      expect(answer.statusCode).toBe(status);
      expect(answer.body.error?.message).toContain(words);
      expect(standIns.sandbox.calls).toEqual([]);
    },
  );

  it('are read once per TTL, and a change takes effect once it has passed', async () => {
    const handler = container({ PROTECTED_ITEMS_TTL_SECONDS: '1' });
    const dryRun = (on: BundledHandler) => http(on, { numbers: ['14255551212'], dryRun: true });
    const reads = () => standIns.ssm.requests.filter((entry) => entry.name === PARAMETER).length;
    await dryRun(handler);
    standIns.ssm.putParameter(PARAMETER, '14255551212');

    const cached = await dryRun(handler);
    const readsWhileCached = reads();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const expired = await dryRun(handler);
    const fresh = await dryRun(container());

    expect(outcomes(cached)).toEqual([['14255551212', 'wouldRelease', undefined]]);
    expect(readsWhileCached).toBe(1);
    expect(outcomes(expired)).toEqual([['14255551212', 'skipped', 'PROTECTED']]);
    expect(outcomes(fresh)).toEqual([['14255551212', 'skipped', 'PROTECTED']]);
  });
});

describe('plans', () => {
  it('release exactly what the reviewed dry run planned', async () => {
    const handler = container();
    const numbers = ['14255551212', '14255551214', '14255550000'];
    const plan = await http(handler, { numbers, dryRun: true });
    expect(plan.body.plan?.hash).toMatch(/^[0-9a-f]{64}$/);

    const applied = await http(handler, { numbers, planHash: plan.body.plan?.hash });

    expect(applied.statusCode).toBe(207);
    expect(outcomes(applied)).toEqual([
      ['14255551212', 'released', undefined],
      ['14255551214', 'skipped', 'ALREADY_RELEASED'],
      ['14255550000', 'failed', undefined],
    ]);
    expect(releaseCalls().map((call) => call.number)).toEqual(['14255551212']);
  });

  it('release nothing when the account changed since the review: 409 with the fresh plan', async () => {
    const handler = container();
    const numbers = ['14255551212', '14255551213'];
    const plan = await http(handler, { numbers, dryRun: true });
    const number = standIns.sandbox.account.numbers.find((entry) => entry.number === '14255551213');
    if (number) number.autoRenew = false; // someone released it by hand meanwhile

    const applied = await http(handler, { numbers, planHash: plan.body.plan?.hash });

    expect(applied.statusCode).toBe(409);
    expect(applied.body.error?.code).toBe('PLAN_CHANGED');
    expect(applied.body.plan?.hash).not.toBe(plan.body.plan?.hash);
    expect(applied.body.plan?.items).toContainEqual(
      expect.objectContaining({ item: '14255551213', outcome: 'alreadyReleased' }),
    );
    expect(releaseCalls()).toEqual([]);
  });

  it('raise PlanChangedError by name for a direct invocation', async () => {
    const handler = container();

    const error = await handler(
      { numbers: ['14255551212'], planHash: 'a'.repeat(64) },
      lambdaContext(),
    ).catch((caught: unknown) => caught as Error);

    expect((error as Error).name).toBe('PlanChangedError');
    expect(releaseCalls()).toEqual([]);
  });
});

describe('numbers in use', () => {
  const numbers = ['14255551215', '14255551216', '14255551217'];

  it('are reported with their configuration in a dry run', async () => {
    const answer = await http(container(), { numbers, dryRun: true });

    expect(answer.body.results?.map((item) => item.configuration)).toEqual([
      { callFeature: 'ENABLED', textFeature: null, inbound: 'IVR' },
      { callFeature: 'ENABLED', textFeature: 'ENABLED', inbound: 'TRACKING' },
      { callFeature: 'DISABLED', textFeature: 'ENABLED', inbound: null },
    ]);
  });

  it('are skipped only when asked (skipConfigured), with one GetNumber each', async () => {
    const skipping = await http(container(), { numbers, skipConfigured: true });
    const releasedBefore = releaseCalls().map((call) => call.number);
    standIns.sandbox.reset();
    const releasing = await http(container(), { numbers });

    expect(outcomes(skipping)).toEqual([
      ['14255551215', 'skipped', 'CONFIGURED'],
      ['14255551216', 'skipped', 'CONFIGURED'],
      ['14255551217', 'released', undefined],
    ]);
    expect(releasedBefore).toEqual(['14255551217']);
    expect(outcomes(releasing)?.map((row) => row[1])).toEqual(['released', 'released', 'released']);
    expect(standIns.sandbox.calls.filter((call) => call.operation === 'GetNumber')).toEqual([]);
  });
});

describe('stale requests', () => {
  it('are refused past notAfter: 400 REQUEST_EXPIRED, nothing sent', async () => {
    const answer = await http(container(), {
      numbers: ['14255551212'],
      notAfter: new Date(Date.now() - 1_000).toISOString(),
    });

    expect(answer.statusCode).toBe(400);
    expect(answer.body.error?.code).toBe('REQUEST_EXPIRED');
    expect(standIns.sandbox.calls).toEqual([]);
  });

  it('are released before notAfter', async () => {
    const answer = await http(container(), {
      numbers: ['14255551212'],
      notAfter: new Date(Date.now() + 60_000).toISOString(),
    });

    expect(outcomes(answer)).toEqual([['14255551212', 'released', undefined]]);
  });

  it('refuse an invalid notAfter as a validation error', async () => {
    const answer = await http(container(), { numbers: ['14255551212'], notAfter: 'tomorrow' });

    expect(answer.statusCode).toBe(400);
    expect(answer.body.error?.code).toBe('INVALID_REQUEST');
  });

  it.each([
    [
      'a bus event',
      (time: string) =>
        busEvent({ numbers: ['14255551212'] }, 'callfire.release', 'Release Requested', time),
    ],
    ['a scheduled event', (time: string) => scheduledEvent(time)],
  ])(
    'refuse %s older than MAX_EVENT_AGE_SECONDS: RequestExpiredError, nothing sent',
    async (_case, build) => {
      const handler = container({ MAX_EVENT_AGE_SECONDS: '3600' });
      const twoHoursAgo = new Date(Date.now() - 7_200_000).toISOString();

      const error = await handler(build(twoHoursAgo), lambdaContext()).catch(
        (caught: unknown) => caught as Error,
      );

      expect((error as Error).name).toBe('RequestExpiredError');
      expect(standIns.sandbox.calls).toEqual([]);
    },
  );

  it('release a bus event within MAX_EVENT_AGE_SECONDS', async () => {
    const handler = container({ MAX_EVENT_AGE_SECONDS: '3600' });
    const event = busEvent({ numbers: ['14255551212'] });

    const result = await handler(event, lambdaContext());

    expect(result).toMatchObject({ summary: { released: 1 } });
  });
});
