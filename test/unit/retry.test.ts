import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallFireError } from '../../functions/release/errors';
import {
  type Attempt,
  type Budget,
  callWithRetries,
  createBudget,
  type RetryPolicy,
} from '../../functions/release/retry';

const FAST: RetryPolicy = {
  attempts: 3,
  callTimeoutMs: 1_000,
  baseDelayMs: 0,
  maxDelayMs: 0,
  minAttemptMs: 10,
};

const unavailable = (n = 1) =>
  new CallFireError('UNAVAILABLE', `CallFire fault UNAVAILABLE #${n}`, true);
const notFound = () => new CallFireError('NOT_FOUND', 'CallFire fault NOT_FOUND', false);

/** A call that fails with each scripted error in turn, then answers 'done'; it records its attempts. */
function scriptedCall(failures: CallFireError[]) {
  const queue = [...failures];
  const attempts: Attempt[] = [];
  const call = vi.fn(async (attempt: Attempt) => {
    attempts.push(attempt);
    const failure = queue.shift();
    if (failure) throw failure;
    return 'done';
  });
  return { call, attempts };
}

/** A call that never answers: it rejects TIMEOUT once its signal aborts, as the adapter does. */
function hangingCall() {
  const attempts: { attempt: Attempt; abortedAt?: number; startedAt: number }[] = [];
  const call = vi.fn(
    (attempt: Attempt) =>
      new Promise<never>((_, reject) => {
        const record: (typeof attempts)[number] = { attempt, startedAt: Date.now() };
        attempts.push(record);
        attempt.signal.addEventListener(
          'abort',
          () => {
            record.abortedAt = Date.now();
            reject(new CallFireError('TIMEOUT', `no answer in ${attempt.timeoutMs} ms`, true));
          },
          { once: true },
        );
      }),
  );
  return { call, attempts };
}

describe('createBudget', () => {
  let budget: Budget | undefined;
  afterEach(() => {
    budget?.dispose();
    vi.useRealTimers();
  });

  it('sets the deadline from the given start and aborts its signal when it passes', async () => {
    // Prepare
    vi.useFakeTimers();
    const start = Date.now();

    // Act
    budget = createBudget(5_000, start);
    await vi.advanceTimersByTimeAsync(4_999);
    const abortedEarly = budget.signal.aborted;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(budget.deadline).toBe(start + 5_000);
    expect(abortedEarly).toBe(false);
    expect(budget.signal.aborted).toBe(true);
  });

  it('does not abort once disposed', async () => {
    // Prepare
    vi.useFakeTimers();
    budget = createBudget(100);

    // Act
    budget.dispose();
    await vi.advanceTimersByTimeAsync(1_000);

    // Assess
    expect(budget.signal.aborted).toBe(false);
  });

  it('aborts at once for a budget already spent', async () => {
    // Prepare
    vi.useFakeTimers();

    // Act
    budget = createBudget(-500);
    await vi.advanceTimersByTimeAsync(0);

    // Assess
    expect(budget.signal.aborted).toBe(true);
    expect(budget.deadline).toBeLessThan(Date.now());
  });
});

describe('callWithRetries', () => {
  let budget: Budget | undefined;
  /** A budget of `ms` from now (on the fake clock when a test installed one first). */
  function givenBudget(ms = 5_000): Budget {
    budget = createBudget(ms);
    return budget;
  }
  afterEach(() => {
    budget?.dispose();
    budget = undefined;
    vi.useRealTimers();
  });

  it('returns the value of a first attempt that succeeds', async () => {
    // Prepare
    const budget = givenBudget();
    const { call, attempts } = scriptedCall([]);

    // Act
    const outcome = await callWithRetries(call, budget, FAST, () => 0);

    // Assess
    expect(outcome).toEqual({ ok: true, value: 'done', attempts: 1 });
    expect(call).toHaveBeenCalledTimes(1);
    expect(attempts[0]?.timeoutMs).toBe(1_000);
    expect(attempts[0]?.signal.aborted).toBe(false);
  });

  it('retries transient failures until an attempt succeeds', async () => {
    // Prepare
    const budget = givenBudget();
    const timeout = new CallFireError('TIMEOUT', 'no answer', true);
    const { call } = scriptedCall([unavailable(), timeout]);

    // Act
    const outcome = await callWithRetries(call, budget, FAST, () => 0);

    // Assess
    expect(outcome).toEqual({ ok: true, value: 'done', attempts: 3 });
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('gives each attempt a signal of its own', async () => {
    // Prepare
    const budget = givenBudget();
    const { call, attempts } = scriptedCall([unavailable()]);

    // Act
    await callWithRetries(call, budget, FAST, () => 0);

    // Assess
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.signal).not.toBe(attempts[1]?.signal);
    expect(attempts[0]?.signal).not.toBe(budget.signal);
  });

  it('stops at once on a permanent failure', async () => {
    // Prepare
    const budget = givenBudget();
    const permanent = notFound();
    const { call } = scriptedCall([permanent, unavailable()]);

    // Act
    const outcome = await callWithRetries(call, budget, FAST, () => 0);

    // Assess
    expect(outcome).toEqual({ ok: false, error: permanent, attempts: 1 });
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('gives up after 3 attempts with the last failure, not DEADLINE', async () => {
    // Prepare
    const budget = givenBudget();
    const last = unavailable(3);
    const { call } = scriptedCall([unavailable(1), unavailable(2), last, unavailable(4)]);

    // Act
    const outcome = await callWithRetries(call, budget, FAST, () => 0);

    // Assess
    expect(outcome).toEqual({ ok: false, error: last, attempts: 3 });
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('honours the number of attempts of the policy', async () => {
    // Prepare
    const budget = givenBudget();
    const { call } = scriptedCall([unavailable(1), unavailable(2)]);

    // Act
    const outcome = await callWithRetries(call, budget, { ...FAST, attempts: 2 }, () => 0);

    // Assess
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBe(2);
    expect(!outcome.ok && outcome.error.message).toBe('CallFire fault UNAVAILABLE #2');
  });

  it('maps a rejection that is not a CallFireError to a retryable NETWORK error', async () => {
    // Prepare
    const budget = givenBudget();
    const call = vi.fn(async () => {
      throw new RangeError('unexpected');
    });

    // Act
    const outcome = await callWithRetries(call, budget, FAST, () => 0);

    // Assess
    expect(call).toHaveBeenCalledTimes(3);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('NETWORK');
    expect(!outcome.ok && outcome.error.message).toBe('Unexpected failure (RangeError)');
  });

  it('makes no attempt when the budget is smaller than one attempt needs: DEADLINE after 0', async () => {
    // Prepare
    const budget = givenBudget(5);
    const { call } = scriptedCall([]);

    // Act
    const outcome = await callWithRetries(call, budget, FAST, () => 0);

    // Assess
    expect(call).not.toHaveBeenCalled();
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBe(0);
    expect(!outcome.ok && outcome.error).toMatchObject({
      code: 'DEADLINE',
      retryable: true,
      message: "Not sent before the invocation's time ran out",
    });
  });

  it('aborts the call in flight when the deadline passes and fails DEADLINE (retryable)', async () => {
    // Prepare
    vi.useFakeTimers();
    const budget = givenBudget(3_000);
    const { call, attempts } = hangingCall();
    const start = Date.now();

    // Act
    const pending = callWithRetries(call, budget, { ...FAST, callTimeoutMs: 10_000 }, () => 0);
    await vi.advanceTimersByTimeAsync(3_000);
    const outcome = await pending;

    // Assess
    expect(call).toHaveBeenCalledTimes(1);
    expect(attempts[0]?.attempt.timeoutMs).toBe(3_000);
    expect(attempts[0]?.abortedAt).toBe(start + 3_000);
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBe(1);
    expect(!outcome.ok && outcome.error.code).toBe('DEADLINE');
    expect(!outcome.ok && outcome.error.retryable).toBe(true);
  });

  it('aborts an attempt at its own timeout and retries it', async () => {
    // Prepare
    vi.useFakeTimers();
    const budget = givenBudget();
    const { call, attempts } = hangingCall();
    const start = Date.now();
    const policy = { ...FAST, callTimeoutMs: 400 };

    // Act
    const pending = callWithRetries(call, budget, policy, () => 0);
    await vi.advanceTimersByTimeAsync(2_000);
    const outcome = await pending;

    // Assess
    expect(attempts.map((entry) => (entry.abortedAt ?? Number.NaN) - entry.startedAt)).toEqual([
      400, 400, 400,
    ]);
    expect(attempts[0]?.startedAt).toBe(start);
    expect(attempts.map((entry) => entry.attempt.timeoutMs)).toEqual([400, 400, 400]);
    expect(budget.signal.aborted).toBe(false);
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBe(3);
    expect(!outcome.ok && outcome.error.code).toBe('TIMEOUT');
  });

  it('shortens the last attempt to the time left', async () => {
    // Prepare
    vi.useFakeTimers();
    const budget = givenBudget(1_000);
    const { call, attempts } = hangingCall();

    // Act
    const pending = callWithRetries(call, budget, { ...FAST, callTimeoutMs: 600 }, () => 0);
    await vi.advanceTimersByTimeAsync(1_000);
    const outcome = await pending;

    // Assess: the second attempt gets what is left of the budget, not another 600 ms.
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.attempt.timeoutMs).toBe(600);
    expect(attempts[1]?.attempt.timeoutMs).toBe(budget.deadline - (attempts[1]?.startedAt ?? 0));
    expect(attempts[1]?.attempt.timeoutMs).toBeLessThan(600);
    expect(attempts[1]?.abortedAt).toBe(budget.deadline);
    expect(outcome.attempts).toBe(2);
    expect(!outcome.ok && outcome.error.code).toBe('DEADLINE');
  });

  it('waits an exponential backoff scaled by the injected random, capped at maxDelayMs', async () => {
    // Prepare
    vi.useFakeTimers();
    const budget = givenBudget();
    const starts: number[] = [];
    const start = Date.now();
    const call = vi.fn(async () => {
      starts.push(Date.now() - start);
      throw unavailable();
    });
    const random = vi.fn(() => 1);
    const policy = { ...FAST, attempts: 4, baseDelayMs: 100, maxDelayMs: 300 };

    // Act
    const pending = callWithRetries(call, budget, policy, random);
    await vi.advanceTimersByTimeAsync(2_000);
    const outcome = await pending;

    // Assess: delays 100, 200, then 400 capped to 300.
    expect(starts).toEqual([0, 100, 300, 600]);
    expect(random).toHaveBeenCalledTimes(3);
    expect(outcome.attempts).toBe(4);
  });

  it('uses full jitter: random() * the exponential delay', async () => {
    // Prepare
    vi.useFakeTimers();
    const budget = givenBudget();
    const starts: number[] = [];
    const start = Date.now();
    const call = vi.fn(async () => {
      starts.push(Date.now() - start);
      throw unavailable();
    });
    const policy = { ...FAST, baseDelayMs: 1_000, maxDelayMs: 1_000 };

    // Act
    const pending = callWithRetries(call, budget, policy, () => 0.25);
    await vi.advanceTimersByTimeAsync(2_000);
    await pending;

    // Assess
    expect(starts).toEqual([0, 250, 500]);
  });

  it('retries at once with random () => 0, however large the base delay', async () => {
    // Prepare
    const budget = givenBudget();
    const { call } = scriptedCall([unavailable(), unavailable()]);
    const policy = { ...FAST, baseDelayMs: 60_000, maxDelayMs: 60_000 };

    // Act
    const outcome = await callWithRetries(call, budget, policy, () => 0);

    // Assess
    expect(outcome).toEqual({ ok: true, value: 'done', attempts: 3 });
  });

  it('starts no attempt whose backoff and minimum time would pass the deadline: the last failure stands', async () => {
    // Prepare
    const budget = givenBudget(1_000);
    const { call } = scriptedCall([unavailable(), unavailable()]);
    const policy = { ...FAST, baseDelayMs: 5_000, maxDelayMs: 5_000, minAttemptMs: 10 };

    // Act
    const outcome = await callWithRetries(call, budget, policy, () => 1);

    // Assess
    expect(call).toHaveBeenCalledTimes(1);
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBe(1);
    // Sent once: DEADLINE is only for calls never sent.
    expect(!outcome.ok && outcome.error).toMatchObject({
      code: 'UNAVAILABLE',
      retryable: true,
      message: 'CallFire fault UNAVAILABLE #1',
    });
  });

  it('counts the minimum attempt time against the deadline, not only the backoff', async () => {
    // Prepare
    vi.useFakeTimers();
    const budget = givenBudget(1_000);
    const call = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      throw new CallFireError('TIMEOUT', 'slow', true);
    });
    const policy = { ...FAST, minAttemptMs: 400 };

    // Act
    const pending = callWithRetries(call, budget, policy, () => 0);
    await vi.advanceTimersByTimeAsync(700);
    const outcome = await pending;

    // Assess: 700 ms spent, 300 left < 400 needed.
    expect(call).toHaveBeenCalledTimes(1);
    expect(!outcome.ok && outcome.error.message).toBe('slow');
  });

  describe('Retry-After', () => {
    const throttled = (retryAfterMs: number) =>
      new CallFireError('UPSTREAM_HTTP', 'CallFire answered HTTP 429', true, { retryAfterMs });

    it('waits at least as long as CallFire asks before the next attempt', async () => {
      // Prepare
      vi.useFakeTimers();
      const budget = givenBudget(10_000);
      const starts: number[] = [];
      const start = Date.now();
      const { call } = scriptedCall([throttled(1_500)]);
      const timedCall = vi.fn(async (attempt: Attempt) => {
        starts.push(Date.now() - start);
        return call(attempt);
      });

      // Act
      const pending = callWithRetries(timedCall, budget, FAST, () => 0);
      await vi.advanceTimersByTimeAsync(2_000);
      const outcome = await pending;

      // Assess
      expect(starts).toEqual([0, 1_500]);
      expect(outcome).toEqual({ ok: true, value: 'done', attempts: 2 });
    });

    it('fails at once, retryably, with the last failure when the wait does not fit the budget', async () => {
      // Prepare
      const budget = givenBudget(2_000);
      const { call } = scriptedCall([throttled(30_000)]);

      // Act
      const outcome = await callWithRetries(call, budget, FAST, () => 0);

      // Assess
      expect(call).toHaveBeenCalledTimes(1);
      expect(outcome).toMatchObject({
        ok: false,
        attempts: 1,
        error: { code: 'UPSTREAM_HTTP', retryable: true },
      });
    });
  });

  describe('calls sent without an answer', () => {
    const lost = () =>
      new CallFireError('TIMEOUT', 'CallFire did not answer within 400 ms', true, {
        uncertain: true,
      });

    it('marks the result maybeApplied when any attempt was sent and left unanswered', async () => {
      // Prepare
      const budget = givenBudget();
      const { call } = scriptedCall([lost(), unavailable(2), unavailable(3)]);

      // Act
      const outcome = await callWithRetries(call, budget, FAST, () => 0);

      // Assess
      expect(outcome).toMatchObject({ ok: false, attempts: 3, maybeApplied: true });
      expect(!outcome.ok && outcome.error.code).toBe('UNAVAILABLE');
    });

    it('does not mark a result whose attempts all got an answer', async () => {
      // Prepare
      const budget = givenBudget();
      const { call } = scriptedCall([unavailable(1), unavailable(2), unavailable(3)]);

      // Act
      const outcome = await callWithRetries(call, budget, FAST, () => 0);

      // Assess
      expect(outcome.ok).toBe(false);
      expect(outcome).not.toHaveProperty('maybeApplied');
    });

    it('reports a call the deadline cut off after sending as what it is, not DEADLINE', async () => {
      // Prepare
      vi.useFakeTimers();
      const budget = givenBudget(1_000);
      const call = vi.fn(
        (attempt: Attempt) =>
          new Promise<never>((_, reject) => {
            attempt.signal.addEventListener('abort', () => reject(lost()), { once: true });
          }),
      );

      // Act
      const pending = callWithRetries(call, budget, { ...FAST, callTimeoutMs: 5_000 }, () => 0);
      await vi.advanceTimersByTimeAsync(1_000);
      const outcome = await pending;

      // Assess
      expect(outcome).toMatchObject({ ok: false, attempts: 1, maybeApplied: true });
      expect(!outcome.ok && outcome.error.code).toBe('TIMEOUT');
    });
  });
});
