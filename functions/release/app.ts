import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { NumberService } from './callfire/number-service';
import type { Config } from './config';
import type { CredentialsSource } from './credentials/secret-credentials';
import {
  ConfigurationError,
  DependencyUnavailableError,
  InvalidRequestError,
  ReleaseIncompleteError,
  UnsupportedTriggerError,
} from './errors';
import { createInvocationObserver } from './observability';
import { releaseItems } from './release';
import { parseReleaseRequest, type ReleaseRequest } from './request';
import { describeItem, type ReleaseResult } from './result';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import { describeEnvelope, isEventBridgeEnvelope } from './triggers/eventbridge';
import {
  type HttpRequest,
  type HttpResponse,
  isPayloadV1,
  isPayloadV2,
  jsonResponse,
  MAX_BODY_BYTES,
  RELEASE_ROUTE,
  toHttpRequest,
} from './triggers/http';
import { isAlbEvent, isRecordsBatch, isSqsEvent } from './triggers/unsupported';

/** Time kept back from the invocation's remaining time to answer, log and flush metrics. */
export const SAFETY_MARGIN_MS = 1_000;
/** API Gateway stops waiting at ~30 s (HTTP API) or 29 s (REST): answer well before. */
export const HTTP_BUDGET_MS = 25_000;

/** The adapters, built once per container from the checked settings. */
export interface Wiring {
  config: Config;
  numberService: () => Promise<NumberService>;
  credentials: CredentialsSource;
}

/** Everything the handler needs, wired once per container by handler.ts (or by a test). */
export interface HandlerDeps {
  /** The adapters, or why the settings are wrong (reported on every invocation, not only in the init log). */
  wiring: Wiring | ConfigurationError;
  logger: Logger;
  metrics: Metrics;
  retry?: Partial<RetryPolicy>;
}

export type TriggerKind = HttpRequest['kind'] | 'eventbridge' | 'direct';

export type ReleaseHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Builds the Lambda handler: recognise the trigger, hand the request to the release core, shape
 * the answer the trigger expects.
 */
export function createHandler(deps: HandlerDeps): ReleaseHandler {
  const { logger } = deps;

  async function release(
    request: ReleaseRequest,
    context: Context,
    budgetCapMs: number,
  ): Promise<ReleaseResult> {
    if (deps.wiring instanceof ConfigurationError) throw deps.wiring;
    const { config, credentials, numberService } = deps.wiring;
    const observer = createInvocationObserver(logger, deps.metrics, request.dryRun);
    try {
      return await releaseItems(
        request,
        { numberService: await numberService(), credentials, observer },
        {
          budgetMs: Math.min(budgetCapMs, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS),
          concurrency: config.concurrency,
          retry: { ...DEFAULT_RETRY_POLICY, callTimeoutMs: config.callTimeoutMs, ...deps.retry },
          secretId: config.secretId,
        },
      );
    } finally {
      observer.publish();
    }
  }

  async function serveHttp(http: HttpRequest, context: Context): Promise<HttpResponse> {
    const requestId = context.awsRequestId;
    logger.appendKeys({ trigger: http.kind, caller: http.caller });
    if (http.path !== RELEASE_ROUTE.path) {
      return jsonResponse(404, requestId, {
        error: {
          code: 'NOT_FOUND',
          message: `No route ${http.method} ${http.path}: use ${RELEASE_ROUTE.method} ${RELEASE_ROUTE.path}`,
        },
      });
    }
    if (http.method !== RELEASE_ROUTE.method) {
      return jsonResponse(
        405,
        requestId,
        {
          error: {
            code: 'METHOD_NOT_ALLOWED',
            message: `${http.path} accepts ${RELEASE_ROUTE.method} only`,
          },
        },
        { allow: RELEASE_ROUTE.method },
      );
    }
    try {
      const request = parseReleaseRequest(parseBody(http.body));
      const result = await release(request, context, HTTP_BUDGET_MS);
      const { requested, failed } = result.summary;
      const status = failed === 0 ? 200 : failed < requested ? 207 : 502;
      return jsonResponse(status, requestId, { ...result });
    } catch (error) {
      return httpErrorResponse(error, requestId);
    }
  }

  function httpErrorResponse(error: unknown, requestId: string): HttpResponse {
    if (error instanceof InvalidRequestError) {
      logger.warn('request rejected', { errors: error.issues });
      return jsonResponse(error.tooLarge ? 413 : 400, requestId, {
        error: {
          code: error.tooLarge ? 'REQUEST_TOO_LARGE' : 'INVALID_REQUEST',
          message: error.message,
        },
        errors: error.issues,
      });
    }
    logFailure(error);
    if (error instanceof ConfigurationError) {
      return jsonResponse(500, requestId, {
        error: { code: 'CONFIGURATION_ERROR', message: error.message },
      });
    }
    if (error instanceof DependencyUnavailableError) {
      return jsonResponse(
        503,
        requestId,
        { error: { code: 'DEPENDENCY_UNAVAILABLE', message: error.message } },
        { 'retry-after': String(error.retryAfterSeconds) },
      );
    }
    // Not meant for the caller: the log line under this request id has the details.
    return jsonResponse(500, requestId, {
      error: {
        code: 'INTERNAL_ERROR',
        message: `Internal error; the function's logs for request ${requestId} say more`,
      },
    });
  }

  /**
   * Every other invocation gets the result back, or an error whose name Step Functions and
   * Lambda's retries act on.
   */
  async function serveInvocation(
    payload: unknown,
    kind: 'eventbridge' | 'direct',
    origin: string,
    context: Context,
  ): Promise<ReleaseResult> {
    logger.appendKeys({ trigger: kind, origin });
    try {
      const request = parseInvocationPayload(payload, kind, origin);
      const result = await release(request, context, Number.POSITIVE_INFINITY);
      const pending = result.results.filter(
        (item) => item.outcome === 'failed' && item.error?.retryable,
      );
      if (pending.length > 0) {
        throw new ReleaseIncompleteError(
          `${pending.length} of ${result.results.length} items not done yet, retry the request: ${pending
            .map((item) => `${describeItem(item)} ${item.error?.code}`)
            .join(', ')}`,
        );
      }
      return result;
    } catch (error) {
      logFailure(error);
      throw error;
    }
  }

  function logFailure(error: unknown): void {
    // Name and message only: a raw error's other fields may hold request configuration.
    const { name, message } =
      error instanceof Error ? error : { name: typeof error, message: 'non-Error thrown' };
    if (error instanceof InvalidRequestError)
      logger.warn('request rejected', { errorName: name, errorMessage: message });
    else logger.error('invocation failed', { errorName: name, errorMessage: message });
  }

  return async function handler(event: unknown, context: Context): Promise<unknown> {
    logger.addContext(context);
    try {
      if (isPayloadV2(event) || isPayloadV1(event))
        return await serveHttp(toHttpRequest(event), context);
      if (isAlbEvent(event)) {
        return {
          ...jsonResponse(501, context.awsRequestId, {
            error: {
              code: 'UNSUPPORTED_TRIGGER',
              message:
                'Application Load Balancer is not a supported trigger: use the HTTP API route POST /releases',
            },
          }),
          statusDescription: '501 Not Implemented',
        };
      }
      if (isRecordsBatch(event)) {
        const error = new UnsupportedTriggerError(
          isSqsEvent(event)
            ? 'SQS is not a supported trigger yet: send the release request as the invocation payload or an EventBridge event'
            : 'Records batches (SNS, S3, streams) are not a supported trigger',
        );
        logFailure(error);
        throw error;
      }
      if (isEventBridgeEnvelope(event))
        return await serveInvocation(event.detail, 'eventbridge', describeEnvelope(event), context);
      return await serveInvocation(event, 'direct', 'payload', context);
    } finally {
      logger.resetKeys();
    }
  };
}

/** Validates an invocation payload; for an envelope, issues point into `detail` and name the event. */
function parseInvocationPayload(
  payload: unknown,
  kind: 'eventbridge' | 'direct',
  origin: string,
): ReleaseRequest {
  try {
    return parseReleaseRequest(payload);
  } catch (error) {
    if (!(error instanceof InvalidRequestError) || kind !== 'eventbridge') throw error;
    const issues = error.issues.map((issue) => ({
      ...issue,
      path: issue.path ? `detail.${issue.path}` : 'detail',
    }));
    throw new InvalidRequestError(issues, { tooLarge: error.tooLarge, source: origin });
  }
}

function parseBody(body: string | null): unknown {
  if (body === null)
    throw new InvalidRequestError([
      { path: '', message: 'the body is empty: send the release request as JSON' },
    ]);
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    throw new InvalidRequestError(
      [{ path: '', message: `the body is larger than ${MAX_BODY_BYTES / 1024} KB` }],
      { tooLarge: true },
    );
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidRequestError([{ path: '', message: 'the body is not valid JSON' }]);
  }
}
