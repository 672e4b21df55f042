/**
 * Lambda entry points of `dist/jobs/handler.js`: `handler` (the job API, behind the HTTP API) and
 * `finalize` (the release job state machine's last step). The SDK clients are built once per
 * container, at init; the adapters wrap them per invocation with its time budget.
 *
 * Each export reads only the settings it needs, so the finalize function runs without the job
 * API's (a wrong setting is answered by the export that needs it, on every invocation).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigurationError } from '../release/errors';
import { createS3Client, createS3JobFiles } from './adapters/s3-job-files';
import { createSfnClient, createStepFunctionsEngine } from './adapters/step-functions-engine';
import { type ApiWiring, createJobsApiHandler } from './api';
import { readApiConfig, readFilesConfig } from './config';
import { createFinalizeHandler, type FinalizeWiring } from './finalize-handler';

// Constructor options beat the POWERTOOLS_* variables, so the default only fills what is unset.
const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'callfire-release-jobs',
});
const s3 = createS3Client();

function configured<T>(wire: () => T): T | ConfigurationError {
  try {
    return wire();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
}

const apiWiring = configured((): ApiWiring => {
  const config = readApiConfig();
  const sfn = createSfnClient();
  return {
    config,
    ports: (signal) => ({
      engine: createStepFunctionsEngine({
        stateMachineArn: config.stateMachineArn,
        client: sfn,
        signal,
      }),
      files: createS3JobFiles({ bucket: config.jobsBucket, client: s3, signal }),
    }),
  };
});

const finalizeWiring = configured((): FinalizeWiring => {
  const config = readFilesConfig();
  return {
    config,
    files: (signal) => createS3JobFiles({ bucket: config.jobsBucket, client: s3, signal }),
  };
});

export const handler = createJobsApiHandler({ wiring: apiWiring, logger });
export const finalize = createFinalizeHandler({ wiring: finalizeWiring, logger });
