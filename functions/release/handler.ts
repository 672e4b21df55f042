/**
 * Lambda entry point (`dist/release/handler.handler`). Wires the real adapters once per container,
 * during init, and hands every event to the handler built in app.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createHandler, type Wiring } from './app';
import { serviceName } from './audit-log';
import { createNumberService } from './callfire/number-service';
import { type Config, readConfig } from './config';
import { createSecretCredentials } from './credentials/secret-credentials';
import { ConfigurationError } from './errors';
import {
  createProtectedItemsSource,
  NO_PROTECTED_ITEMS_SOURCE,
  type ProtectedItemsSource,
} from './protection/protected-items-source';

// Constructor options beat the POWERTOOLS_* variables, so the defaults only fill what is unset.
const service = serviceName();
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
const logger = new Logger({ serviceName: service });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'CallFireRelease',
  serviceName: service,
  // One stack per stage shares the namespace: the function name keeps stages' metrics apart.
  ...(functionName ? { defaultDimensions: { FunctionName: functionName } } : {}),
});

function wire(): Wiring | ConfigurationError {
  try {
    const config = readConfig();
    // Started now so the client is built during init (not billed to the first request's latency
    // budget); awaited by each invocation. A rejection is kept, not thrown at load.
    const client = createNumberService(config.soapEndpoint);
    client.catch(() => {});
    return {
      config,
      numberService: client,
      credentials: createSecretCredentials({
        secretId: config.secretId,
        ttlSeconds: config.secretCacheTtlSeconds,
      }),
      protectedItems: protectedItemsOf(config),
    };
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    logger.error('configuration invalid; every invocation will fail until it is fixed', {
      errorMessage: error.message,
    });
    return error;
  }
}

function protectedItemsOf(config: Config): ProtectedItemsSource {
  const parameterName = config.protectedItemsParameter;
  if (parameterName === undefined) {
    logger.warn('PROTECTED_ITEMS_PARAMETER is not set: no item is protected from release');
    return NO_PROTECTED_ITEMS_SOURCE;
  }
  logger.info('protected items read from SSM', {
    parameterName,
    ttlSeconds: config.protectedItemsTtlSeconds,
  });
  return createProtectedItemsSource({ parameterName, ttlSeconds: config.protectedItemsTtlSeconds });
}

export const handler = createHandler({ wiring: wire(), logger, metrics });
