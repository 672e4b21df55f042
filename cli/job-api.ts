/**
 * The job API (`POST /release-jobs`, `GET`/`DELETE /release-jobs/{jobId}`), beside the release
 * API and signed alike. Answers that stop the command become a CliError: 400/413 and a job id
 * reused for another request (409) are the operator's input (exit 2), as is an unknown job (404
 * JOB_NOT_FOUND); a refusal or a missing job API is the target's (exit 3).
 */
import { CliError, configurationError, EXIT, usageError } from './errors';
import { type HttpAnswer, NetworkError, sendJson } from './http-client';
import { safeText } from './redact';
import { answerMessage } from './release-api';
import type { HttpTarget } from './target';

export type JobState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** `GET /release-jobs/{jobId}`. */
export interface JobStatus {
  jobId: string;
  status: JobState;
  dryRun: boolean;
  counts: {
    total: number;
    done: number;
    released: number;
    failed: number;
    skipped: number;
    wouldRelease: number;
    alreadyReleased: number;
  };
  startedAt: string;
  stoppedAt?: string;
  results?: { url: string; expiresAt: string; format: 'csv' };
}

/** 1 to 80 letters, digits, `_` or `-` (a Step Functions execution name and an S3 key part). */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

function jobUrl(target: HttpTarget, jobId: string): URL {
  const url = new URL(target.jobsUrl.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(jobId)}`;
  return url;
}

async function call(
  target: HttpTarget,
  method: 'GET' | 'POST' | 'DELETE',
  url: URL,
  body?: unknown,
): Promise<HttpAnswer> {
  try {
    return await sendJson(method, url, body, { signer: target.signer });
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    throw new CliError(
      `no answer from the job API at ${url.origin}: ${error.message}`,
      EXIT.itemsFailed,
    );
  }
}

/** The error for an answer that is not the expected one. */
function failure(answer: HttpAnswer, target: HttpTarget, doing: string): CliError {
  const { status } = answer;
  const code = (answer.json as { error?: { code?: string } } | undefined)?.error?.code;
  const message = answerMessage(answer);
  if (status === 400 || status === 413 || status === 409 || code === 'JOB_NOT_FOUND') {
    const errors =
      (answer.json as { errors?: Array<{ path: string; message: string }> })?.errors ?? [];
    const listed = errors
      .slice(0, 20)
      .map((issue) => `\n  ${safeText(`${issue.path}: ${issue.message}`)}`);
    return usageError(
      `${doing}: HTTP ${status}${code ? ` ${code}` : ''}: ${message}${listed.join('')}`,
    );
  }
  if (status === 401 || status === 403) {
    return configurationError(
      `${target.label} refused ${doing} (HTTP ${status}): ${message}${target.signer ? ' (the caller needs execute-api:Invoke on the /release-jobs routes)' : ''}`,
    );
  }
  if (status === 404 || status === 405 || code === 'CONFIGURATION_ERROR') {
    return configurationError(`no job API at ${target.jobsUrl.href} (HTTP ${status}): ${message}`);
  }
  return new CliError(
    `${doing}: HTTP ${status} after ${answer.attempts} attempts: ${message}`,
    EXIT.itemsFailed,
  );
}

/** The answer to a start: `created` for 202, false for 200 (that job already exists). */
export interface StartedJob {
  created: boolean;
  jobId: string;
  status: JobState;
  statusUrl?: string;
}

/**
 * Starts a job. The request always carries a job id, so that a retried POST finds the job the
 * first attempt started (200) instead of starting a second one.
 */
export async function startJob(
  target: HttpTarget,
  body: Record<string, unknown>,
): Promise<StartedJob> {
  const answer = await call(target, 'POST', target.jobsUrl, body);
  if (answer.status !== 200 && answer.status !== 202)
    throw failure(answer, target, 'starting the job');
  const job = answer.json as Omit<StartedJob, 'created'>;
  return { ...job, created: answer.status === 202 };
}

/** The job's status and counts. */
export async function getJob(target: HttpTarget, jobId: string): Promise<JobStatus> {
  const answer = await call(target, 'GET', jobUrl(target, jobId));
  if (answer.status !== 200) throw failure(answer, target, `reading job ${jobId}`);
  return answer.json as JobStatus;
}

/** Asks the job to stop: `stopping` when it was running (202), else its final status (200). */
export async function stopJob(
  target: HttpTarget,
  jobId: string,
): Promise<{ stopping: boolean; status: JobState }> {
  const answer = await call(target, 'DELETE', jobUrl(target, jobId));
  if (answer.status !== 200 && answer.status !== 202)
    throw failure(answer, target, `stopping job ${jobId}`);
  const body = answer.json as { status: JobState; stopping?: boolean };
  return { stopping: answer.status === 202, status: body.status };
}
