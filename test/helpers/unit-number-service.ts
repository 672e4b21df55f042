/**
 * A fake of the release core's CallFire port ({@link NumberService}) for unit tests: an in-memory
 * account, every call recorded, failures scripted as the `CallFireError`s the real adapter rejects
 * with. No `soap`, no sockets.
 */

import type { Operation } from '../../functions/release/callfire/contract';
import type {
  AccountKeyword,
  CallOptions,
  Credentials,
  KeywordPage,
  Lease,
  NumberConfiguration,
  NumberService,
} from '../../functions/release/callfire/number-service';
import { CallFireError } from '../../functions/release/errors';

export type FakeOperation = Operation;

/** One call as the fake received it. */
export interface RecordedCall {
  operation: FakeOperation;
  /** Release: `{ number, keyword? }`; GetNumber: `{ number }`; QueryKeywords: the page asked for. */
  args: Record<string, unknown>;
  credentials: Credentials;
  signal: AbortSignal;
  timeoutMs: number;
  /** `Date.now()` when the call arrived and when its signal aborted (if it did). */
  startedAt: number;
  abortedAt?: number;
}

/**
 * What a scripted call does instead of answering from the account: fail, never answer (`hang`),
 * or apply a Release and then never answer (`lost`: the answer lost after CallFire applied it).
 */
export type Scripted = CallFireError | 'hang' | 'lost';

export interface FakeNumberServiceOptions {
  /** The account's keywords, returned by QueryKeywords `pageSize` at a time. */
  keywords?: AccountKeyword[];
  pageSize?: number;
  /** GetNumber answers by number; a number not listed fails NOT_FOUND. */
  leases?: Record<string, Lease>;
  /** What answers each number's calls; a number not listed has no configuration. */
  configurations?: Record<string, Partial<NumberConfiguration>>;
  /**
   * Scripted behaviour per call key, consumed one entry per call (then the call answers
   * normally). Keys: Release of a number `number`, of a keyword `shortCode/keyword`; GetNumber
   * `get:number`; QueryKeywords `query`. `'hang'` waits until the call's signal aborts and then
   * rejects TIMEOUT marked uncertain, as the adapter does when a request it sent is cancelled.
   */
  script?: Record<string, Scripted[]>;
  /** When set, a call whose password is not listed is rejected CREDENTIALS_REJECTED (HTTP 401). */
  acceptedPasswords?: string[];
  /** Time each call takes (real or fake timers), so calls overlap. */
  delayMs?: number;
  /** QueryKeywords answers the first page whatever FirstResult asks (a misbehaving server). */
  ignoreFirstResult?: boolean;
}

export interface FakeNumberService extends NumberService {
  readonly calls: RecordedCall[];
  /** Most calls in flight at once. */
  readonly maxInFlight: number;
  callsTo(operation: FakeOperation): RecordedCall[];
}

export function fakeNumberService(options: FakeNumberServiceOptions = {}): FakeNumberService {
  const keywords = structuredClone(options.keywords ?? []);
  const leases = structuredClone(options.leases ?? {});
  const script = new Map(
    Object.entries(options.script ?? {}).map(([key, steps]) => [key, [...steps]]),
  );
  const calls: RecordedCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  async function handle<T>(
    operation: FakeOperation,
    key: string,
    args: Record<string, unknown>,
    call: CallOptions,
    answer: () => T,
    apply: () => void = () => {},
  ): Promise<T> {
    const recorded: RecordedCall = {
      operation,
      args,
      credentials: call.credentials,
      signal: call.signal,
      timeoutMs: call.timeoutMs,
      startedAt: Date.now(),
    };
    calls.push(recorded);
    call.signal.addEventListener(
      'abort',
      () => {
        recorded.abortedAt = Date.now();
      },
      { once: true },
    );
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const step = script.get(key)?.shift();
      if (step === 'lost') apply();
      if (step === 'hang' || step === 'lost') return await untilAborted(call);
      if (options.delayMs) await delay(options.delayMs, call);
      if (
        options.acceptedPasswords &&
        !options.acceptedPasswords.includes(call.credentials.password)
      ) {
        throw new CallFireError(
          'CREDENTIALS_REJECTED',
          'CallFire rejected the API credentials (HTTP 401)',
          false,
        );
      }
      if (step) throw step;
      return answer();
    } finally {
      inFlight--;
    }
  }

  return {
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    callsTo: (operation) => calls.filter((call) => call.operation === operation),

    release(target, call) {
      const key =
        target.keyword === undefined ? target.number : `${target.number}/${target.keyword}`;
      // A lost answer turns auto-renew off, as CallFire would have before the answer got lost.
      const apply = () => {
        const lease =
          target.keyword === undefined
            ? leases[target.number]
            : keywords.find((entry) => `${entry.shortCode}/${entry.keyword}` === key)?.lease;
        if (lease) lease.autoRenew = false;
      };
      return handle('Release', key, { ...target }, call, () => undefined, apply);
    },
    getNumber(number, call) {
      return handle('GetNumber', `get:${number}`, { number }, call, () => {
        const lease = leases[number];
        if (!lease)
          throw new CallFireError('NOT_FOUND', `CallFire fault NOT_FOUND: ${number}`, false);
        const configuration = { ...NO_CONFIGURATION, ...options.configurations?.[number] };
        return { lease: structuredClone(lease), configuration };
      });
    },
    queryKeywords(page, call) {
      return handle('QueryKeywords', 'query', { ...page }, call, (): KeywordPage => {
        const size = Math.min(page.maxResults, options.pageSize ?? page.maxResults);
        const first = options.ignoreFirstResult ? 0 : page.firstResult;
        return {
          totalResults: keywords.length,
          keywords: structuredClone(keywords.slice(first, first + size)),
        };
      });
    },
  };
}

function untilAborted(call: CallOptions): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () =>
      reject(
        new CallFireError('TIMEOUT', `CallFire did not answer within ${call.timeoutMs} ms`, true, {
          uncertain: true,
        }),
      );
    if (call.signal.aborted) fail();
    else call.signal.addEventListener('abort', fail, { once: true });
  });
}

function delay(ms: number, call: CallOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    call.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(
          new CallFireError(
            'TIMEOUT',
            `CallFire did not answer within ${call.timeoutMs} ms`,
            true,
            {
              uncertain: true,
            },
          ),
        );
      },
      { once: true },
    );
  });
}

/** A number with nothing configured: no IVR, no call tracking. */
export const NO_CONFIGURATION: NumberConfiguration = {
  callFeature: null,
  textFeature: null,
  inbound: null,
};

/** A lease as CallFire reports an active, auto-renewing one. */
export function activeLease(overrides: Partial<Lease> = {}): Lease {
  return { status: 'ACTIVE', leaseEnd: '2026-12-31', autoRenew: true, ...overrides };
}

export function accountKeyword(
  keyword: string,
  shortCode: string,
  lease: Partial<Lease> = {},
): AccountKeyword {
  return { keyword, shortCode, lease: activeLease(lease) };
}
