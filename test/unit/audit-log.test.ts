import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../functions/release/audit-log';
import { lambdaContext } from '../../local/lambda-context';
import { captureOutput } from '../helpers/bundled-handler';

const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const FIELDS = {
  item: { kind: 'number', number: '14255551212' },
  outcome: 'released',
  verified: true,
  dryRun: false,
  attempts: 2,
  latencyMs: 41,
};
const TAGS = { trigger: 'http-api', caller: { userArn: 'arn:aws:iam::123456789012:user/ops' } };

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  delete process.env._X_AMZN_TRACE_ID;
  delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
});

/** The invocation's logger as invocation.ts makes it: a child with the context added. */
function invocationLogger(context: Context, coldStart: boolean, logLevel = 'INFO'): Logger {
  const logger = new Logger({
    serviceName: 'callfire-release',
    logLevel: logLevel as 'INFO',
  }).createChild();
  logger.addContext(context);
  if (!coldStart) logger.addContext(context);
  return logger;
}

/** The same line from Logger and from the audit log, each parsed, without their timestamps. */
function bothLines(coldStart: boolean): {
  logger: Record<string, unknown>;
  audit: Record<string, unknown>;
} {
  const context = lambdaContext({
    functionName: 'callfire-release-dev-release',
    memoryLimitInMB: 256,
  });
  const logger = invocationLogger(context, coldStart);
  const audit = createAuditLog(logger, context, coldStart);
  audit.tag(TAGS);

  logger.info('item released', FIELDS);
  audit.write('INFO', 'item released', FIELDS);

  const [fromLogger, fromAudit] = output.lines();
  expect(fromAudit?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  for (const line of [fromLogger, fromAudit]) delete line?.timestamp;
  return { logger: fromLogger ?? {}, audit: fromAudit ?? {} };
}

describe('audit log lines', () => {
  it.each([
    ['a cold start', 'on-demand', true, true],
    ['a warm invocation', 'on-demand', false, false],
    ['provisioned concurrency’s first invocation', 'provisioned-concurrency', true, false],
  ])(
    'are the lines Powertools Logger writes, key for key and in order, on %s',
    (_case, type, first, cold) => {
      // Arrange: Lambda names the initialization type; Logger reads it when it is made.
      process.env.AWS_LAMBDA_INITIALIZATION_TYPE = type;

      // Act
      const { logger, audit } = bothLines(first);

      // Assess
      expect(audit).toEqual(logger);
      expect(Object.keys(audit)).toEqual(Object.keys(logger));
      expect(audit).toMatchObject({ cold_start: cold, trigger: 'http-api', outcome: 'released' });
    },
  );

  it('carry the X-Ray trace id as Logger does', () => {
    // Arrange
    process.env._X_AMZN_TRACE_ID = TRACE;

    // Act
    const { logger, audit } = bothLines(false);

    // Assess
    expect(audit.xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(audit).toEqual(logger);
  });

  it('put the tags on the logger’s own lines too', () => {
    // Arrange
    const context = lambdaContext({});
    const logger = invocationLogger(context, false);

    // Act
    createAuditLog(logger, context, false).tag(TAGS);
    logger.warn('request rejected');

    // Assess
    expect(output.lines()[0]).toMatchObject(TAGS);
  });

  it.each([
    ['INFO', ['INFO', 'WARN', 'ERROR']],
    ['WARN', ['WARN', 'ERROR']],
    ['ERROR', ['ERROR']],
  ])('follow the logger’s level (%s)', (level, written) => {
    // Arrange
    const context = lambdaContext({});
    const audit = createAuditLog(invocationLogger(context, false, level), context, false);

    // Act
    for (const each of ['INFO', 'WARN', 'ERROR'] as const) audit.write(each, `item ${each}`, {});

    // Assess
    expect(output.lines().map((line) => line.level)).toEqual(written);
  });
});
