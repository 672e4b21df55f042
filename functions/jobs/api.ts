/**
 * The job API over HTTP (API Gateway HTTP API, payload 2.0; payload 1.0 is read alike): the same
 * event parsing, JSON answers and error mapping as the release function's `POST /releases`.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { invocationLogger, logFailure, SAFETY_MARGIN_MS } from '../lambda/invocation-log';
import { ConfigurationError, UnsupportedTriggerError } from '../release/errors';
import { errorResponse, type HttpResponse, jsonResponse } from '../release/triggers/http-answer';
import {
  HTTP_BUDGET_MS,
  isPayloadV1,
  isPayloadV2,
  parseJsonBody,
  toHttpRequest,
} from '../release/triggers/http-event';
import type { ApiConfig } from './config';
import { budgetSignal } from './invocation';
import { MAX_JOB_BODY_BYTES } from './job-request';
import { describeJob } from './job-status';
import type { JobEngine, JobFiles } from './ports';
import { type JobRoute, matchRoute, statusUrlOf } from './routes';
import { startJob } from './start-job';
import { stopJob } from './stop-job';

/** The adapters, built per invocation around its time budget (the clients are shared). */
export interface ApiWiring {
  config: ApiConfig;
  ports(signal: AbortSignal): { engine: JobEngine; files: JobFiles };
}

export interface JobsApiDeps {
  /** The adapters, or why the settings are wrong (answered on every request). */
  wiring: ApiWiring | ConfigurationError;
  logger: Logger;
  now?: () => Date;
}

type HttpEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

/** The Lambda handler of the job API. */
export function createJobsApiHandler(deps: JobsApiDeps) {
  return async function handler(event: unknown, context: Context): Promise<HttpResponse> {
    const { logger } = invocationLogger(deps.logger, context);
    if (!isPayloadV2(event) && !isPayloadV1(event)) {
      // Only API Gateway calls this function; anything else is a wiring mistake to see at once.
      const error = new UnsupportedTriggerError('The job API takes API Gateway HTTP events only');
      logFailure(logger, error);
      throw error;
    }
    const requestId = context.awsRequestId;
    try {
      const http = toHttpRequest(event);
      logger.appendKeys({ trigger: http.kind, caller: http.caller });
      const route = matchRoute(http);
      if (deps.wiring instanceof ConfigurationError) throw deps.wiring;
      const signal = budgetSignal(context, HTTP_BUDGET_MS, SAFETY_MARGIN_MS);
      const ports = { ...deps.wiring.ports(signal), config: deps.wiring.config };
      return await serve(route, http.body, event, { ...ports, logger, requestId, deps });
    } catch (error) {
      logFailure(logger, error);
      return errorResponse(error, requestId);
    }
  };
}

interface Served {
  engine: JobEngine;
  files: JobFiles;
  config: ApiConfig;
  logger: Logger;
  requestId: string;
  deps: JobsApiDeps;
}

async function serve(
  route: JobRoute,
  body: string | null,
  event: HttpEvent,
  served: Served,
): Promise<HttpResponse> {
  const { engine, files, config, logger, requestId } = served;
  const statusPorts = { engine, files, resultsUrlTtlSeconds: config.resultsUrlTtlSeconds };
  if (route.action === 'describe') {
    logger.appendKeys({ jobId: route.jobId });
    return jsonResponse(200, requestId, { ...(await describeJob(route.jobId, statusPorts)) });
  }
  if (route.action === 'stop') {
    logger.appendKeys({ jobId: route.jobId });
    const stopped = await stopJob(route.jobId, { engine, files });
    if (stopped.stopping) logger.info('job stop requested', { jobId: route.jobId });
    return jsonResponse(stopped.stopping ? 202 : 200, requestId, {
      jobId: route.jobId,
      ...stopped,
    });
  }
  const request = parseJsonBody(body, {
    what: 'job request',
    maxBytes: MAX_JOB_BODY_BYTES,
    tooLargeHint: ': upload a file and send "source"',
  });
  const started = await startJob(request, {
    ...statusPorts,
    maxConcurrency: config.maxConcurrency,
    ...(served.deps.now && { now: served.deps.now }),
  });
  if (started.outcome === 'existing') {
    const statusUrl = statusUrlOf(event, started.view.jobId);
    return jsonResponse(200, requestId, { ...started.view, statusUrl });
  }
  const { input, duplicatesMerged } = started;
  const statusUrl = statusUrlOf(event, input.jobId);
  logger.appendKeys({ jobId: input.jobId });
  // The audit line of who started what (the caller is on every line of this invocation).
  logger.info('job started', {
    jobId: input.jobId,
    total: input.total,
    duplicatesMerged,
    dryRun: input.dryRun,
    confirmKeywordRelease: input.confirmKeywordRelease,
    skipConfigured: input.skipConfigured,
    ...(input.source && { source: input.source }),
  });
  const answer = { jobId: input.jobId, status: 'RUNNING', statusUrl, total: input.total };
  return jsonResponse(
    202,
    requestId,
    { ...answer, duplicatesMerged, dryRun: input.dryRun },
    { location: statusUrl },
  );
}
