import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { MethodNotAllowedError, RouteNotFoundError } from '../release/errors';
import type { HttpRequest } from '../release/triggers/http-event';
import { JobNotFoundError } from './errors';
import { JOB_ID_PATTERN } from './job-contract';

/** The collection of jobs; a job is `/release-jobs/{jobId}`. */
export const JOBS_PATH = '/release-jobs';

/** What a request asks for. */
export type JobRoute =
  | { action: 'start' }
  | { action: 'describe'; jobId: string }
  | { action: 'stop'; jobId: string };

/**
 * `POST /release-jobs`, `GET` and `DELETE /release-jobs/{jobId}`. A path that cannot be a job's
 * (an id outside the job id pattern) names an unknown job.
 *
 * @throws RouteNotFoundError, JobNotFoundError (404), MethodNotAllowedError (405, with Allow)
 */
export function matchRoute(http: HttpRequest): JobRoute {
  if (http.path === JOBS_PATH) {
    if (http.method === 'POST') return { action: 'start' };
    throw new MethodNotAllowedError(`${JOBS_PATH} accepts POST only`, 'POST');
  }
  if (
    !http.path.startsWith(`${JOBS_PATH}/`) ||
    http.path.slice(JOBS_PATH.length + 1).includes('/')
  ) {
    throw new RouteNotFoundError(
      `No route ${http.method} ${http.path}: use POST ${JOBS_PATH}, GET or DELETE ${JOBS_PATH}/{jobId}`,
    );
  }
  const jobId = http.path.slice(JOBS_PATH.length + 1);
  if (http.method !== 'GET' && http.method !== 'DELETE') {
    throw new MethodNotAllowedError(
      `${JOBS_PATH}/{jobId} accepts GET and DELETE only`,
      'GET, DELETE',
    );
  }
  if (!JOB_ID_PATTERN.test(jobId)) throw new JobNotFoundError(`No job ${jobId.slice(0, 100)}`);
  return http.method === 'GET' ? { action: 'describe', jobId } : { action: 'stop', jobId };
}

/**
 * Where a job's status is read: absolute from the API's domain name (and its stage unless
 * `$default`), or a path when the event names no domain (a hand-made or local event).
 */
export function statusUrlOf(
  event: APIGatewayProxyEventV2 | APIGatewayProxyEvent,
  jobId: string,
): string {
  const context = (event.requestContext ?? {}) as { domainName?: unknown; stage?: unknown };
  const path = `${JOBS_PATH}/${jobId}`;
  if (typeof context.domainName !== 'string' || context.domainName === '') return path;
  const stage =
    typeof context.stage === 'string' && context.stage !== '' && context.stage !== '$default'
      ? `/${context.stage}`
      : '';
  return `https://${context.domainName}${stage}${path}`;
}
