/**
 * JSON over HTTP to the release API and the job API: signed when the target says so, retried on
 * 429, 5xx and network errors with `Retry-After` (seconds or an HTTP date) and exponential backoff
 * with full jitter, each attempt with a time limit.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Signer } from './signing';

/** How a request is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Backoff before retry n is a random wait up to min(capMs, baseMs × 2^(n-1)). */
  baseMs: number;
  capMs: number;
  /** A `Retry-After` longer than this ends the retries at once (the answer stands). */
  maxRetryAfterMs: number;
}

/** 4 attempts, waits up to 0.5 s, 1 s, 2 s (or what Retry-After says, up to a minute). */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseMs: 500,
  capMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** API Gateway gives up after 30 s; a little more, so its own 503/504 can arrive. */
const ATTEMPT_TIMEOUT_MS = 35_000;

/** An answer, its body parsed when it is JSON. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body; undefined when it is not JSON. */
  json: unknown;
  attempts: number;
}

/** No answer at all after every attempt (refused, reset, timed out). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly attempts: number;

  constructor(message: string, attempts: number, options?: ErrorOptions) {
    super(message, options);
    this.attempts = attempts;
  }
}

export interface SendOptions {
  signer?: Signer | undefined;
  retry?: RetryPolicy;
  /** Answers that are final even with a retryable status (a release result carried by a 502). */
  isFinal?: (answer: HttpAnswer) => boolean;
}

/**
 * Sends `body` (JSON text) to `url`, retrying what may pass; resolves with the last answer.
 *
 * @throws NetworkError when no attempt got an answer
 */
export async function sendJson(
  method: 'GET' | 'POST' | 'DELETE',
  url: URL,
  body: unknown,
  options: SendOptions = {},
): Promise<HttpAnswer> {
  const { retry = DEFAULT_RETRY, isFinal = () => false } = options;
  const text = body === undefined ? undefined : JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    let answer: HttpAnswer;
    try {
      answer = await attemptOnce(method, url, text, options.signer, attempt);
    } catch (error) {
      if (attempt >= retry.attempts) {
        throw new NetworkError(`${networkReason(error)} after ${attempt} attempts`, attempt, {
          cause: error,
        });
      }
      await sleep(backoffMs(retry, attempt));
      continue;
    }
    const retryable = answer.status === 429 || answer.status >= 500;
    if (!retryable || isFinal(answer) || attempt >= retry.attempts) return answer;
    const retryAfter = parseRetryAfter(answer.headers.get('retry-after'));
    if (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs) return answer;
    await sleep(Math.max(retryAfter ?? 0, backoffMs(retry, attempt)));
  }
}

async function attemptOnce(
  method: string,
  url: URL,
  body: string | undefined,
  signer: Signer | undefined,
  attempts: number,
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const signed = signer
    ? await signer({ method, url, headers, ...(body !== undefined && { body }) })
    : headers;
  // fetch sets Host itself, from the URL the signature covers.
  const { host: _host, ...sent } = signed;
  const response = await fetch(url, {
    method,
    headers: sent,
    ...(body !== undefined && { body }),
    redirect: 'manual',
    signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json, attempts };
}

/** A random wait up to min(cap, base × 2^(attempt-1)): full jitter. */
function backoffMs(retry: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(retry.capMs, retry.baseMs * 2 ** (attempt - 1));
}

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (a past date is 0).
 *
 * @example parseRetryAfter('2') // 2000
 * @example parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z')) // 60000
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A network error in words: its code (ECONNREFUSED, …) rather than fetch's bare "fetch failed". */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if ((error as Error)?.name === 'TimeoutError') {
    return `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`;
  }
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}
