/**
 * One release request to `POST /releases` and what its answer means to the tool: a result (200,
 * 207, or 502 when no item succeeded: the function's answers, never retried), a plan that changed
 * (409), a failure to report per item (429 or 5xx still failing after the retries, no answer), or
 * a reason to stop the whole run (400/413: the request; 401/403/404/405 or a 500
 * CONFIGURATION_ERROR: the target).
 */
import type { ReleaseResult } from '../functions/release/result';
import { CliError, configurationError, EXIT } from './errors';
import { type HttpAnswer, NetworkError, sendJson } from './http-client';
import { safeText } from './redact';
import type { HttpTarget } from './target';

/** What became of one request. */
export type ReleaseAnswer =
  | { kind: 'result'; result: ReleaseResult }
  | { kind: 'planChanged'; freshHash: string | undefined; message: string }
  | { kind: 'failed'; code: string; message: string };

/** Whether a body is the release function's result (it then stands whatever the status). */
export function isReleaseResult(body: unknown): body is ReleaseResult {
  const value = body as Partial<ReleaseResult> | undefined;
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray(value.results) &&
    typeof value.summary === 'object'
  );
}

/** The `error.code` of a function's error answer. */
function errorCode(answer: HttpAnswer): string | undefined {
  return (answer.json as { error?: { code?: string } } | undefined)?.error?.code;
}

/**
 * What an error answer says, safe to print: the function's `error.message` (and its first listed
 * problems), API Gateway's `message`, or the first line of the text.
 */
export function answerMessage(answer: HttpAnswer): string {
  const body = answer.json as
    | {
        error?: { message?: string };
        errors?: Array<{ path: string; message: string }>;
        message?: string;
      }
    | undefined;
  const message = body?.error?.message ?? body?.message ?? answer.text;
  return safeText(message || `HTTP ${answer.status} with an empty body`);
}

/**
 * Sends one release request.
 *
 * @throws CliError to stop the run: exit 2 when the API refuses the request as invalid, exit 3
 *   when the target refuses the caller or is not the release API
 */
export async function sendRelease(
  target: HttpTarget,
  body: Record<string, unknown>,
): Promise<ReleaseAnswer> {
  let answer: HttpAnswer;
  try {
    answer = await sendJson('POST', target.releasesUrl, body, {
      signer: target.signer,
      isFinal: (candidate) =>
        isReleaseResult(candidate.json) || errorCode(candidate) === 'CONFIGURATION_ERROR',
    });
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    return {
      kind: 'failed',
      code: 'NETWORK',
      message: `no answer from ${target.label}: ${error.message}`,
    };
  }
  if (isReleaseResult(answer.json) && [200, 207, 502].includes(answer.status)) {
    return { kind: 'result', result: answer.json };
  }
  if (answer.status === 409 && errorCode(answer) === 'PLAN_CHANGED') {
    const freshHash = (answer.json as { plan?: { hash?: string } }).plan?.hash;
    return { kind: 'planChanged', freshHash, message: answerMessage(answer) };
  }
  const stop = refusal(answer, target);
  if (stop) throw stop;
  const message = `HTTP ${answer.status} after ${answer.attempts} attempts: ${answerMessage(answer)}`;
  return { kind: 'failed', code: `HTTP_${answer.status}`, message };
}

/** The error that stops the run, or undefined for a failure to report on the request's items. */
function refusal(answer: HttpAnswer, target: HttpTarget): CliError | undefined {
  const { status } = answer;
  const message = answerMessage(answer);
  if (status === 400 || status === 413) {
    const errors =
      (answer.json as { errors?: Array<{ path: string; message: string }> })?.errors ?? [];
    const listed = errors
      .slice(0, 20)
      .map((issue) => `\n  ${safeText(`${issue.path}: ${issue.message}`)}`);
    return new CliError(
      `the release API refused the request (HTTP ${status}): ${message}${listed.join('')}`,
      EXIT.usage,
    );
  }
  if (status === 401 || status === 403) {
    const hint = target.signer
      ? " (the caller needs execute-api:Invoke on the route: the stack's ReleaseHttpCallerPolicyArn)"
      : target.releasesUrl.protocol === 'https:'
        ? ' (a deployed API wants signed requests: use --stack NAME instead of --endpoint)'
        : '';
    return configurationError(
      `${target.label} refused the caller (HTTP ${status}): ${message}${hint}`,
    );
  }
  if (errorCode(answer) === 'CONFIGURATION_ERROR') {
    return configurationError(
      `the release function is misconfigured (HTTP 500 CONFIGURATION_ERROR): ${message}`,
    );
  }
  if (status === 404 || status === 405 || (status >= 300 && status < 400)) {
    return configurationError(
      `no release API at ${target.releasesUrl.href} (HTTP ${status}): ${message}`,
    );
  }
  return undefined;
}
