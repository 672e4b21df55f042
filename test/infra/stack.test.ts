// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation Fn::Sub syntax
// The deployment description, checked offline: `osls package` runs once (beforeAll) and every test
// reads the CloudFormation template and the artifact it wrote. Needs a built bundle (see
// package-stack.ts); no AWS account, no network.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReleaseRequest } from '../../functions/release/request';
import { checkTemplate } from './cfn-spec';
import { BUNDLE, type PackagedStack, packageStack, ROOT, STAGE } from './package-stack';
import {
  actionsOf,
  allStatements,
  asArray,
  type CfnTemplate,
  isWildcardResource,
  properties,
  resource,
  resourcesOf,
  resourcesOfType,
  roleStatements,
} from './template';
import { readZip } from './zip';

const FUNCTION_ID = 'ReleaseLambdaFunction';
const FUNCTION_ROLE_ID = 'ReleaseFunctionRole';
const QUEUE_ARN = { 'Fn::GetAtt': ['ReleaseFailuresQueue', 'Arn'] };
const FUNCTION_ARN = { 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] };
const FUNCTION_ROLE_ARN = { 'Fn::GetAtt': [FUNCTION_ROLE_ID, 'Arn'] };
const SECRET_ARN = {
  'Fn::If': ['CreateSecret', { Ref: 'CallFireSecret' }, { Ref: 'ExistingSecretArn' }],
};
// The names the function throws for non-HTTP invocations; Step Functions Retry/Catch match them.
const ERROR_NAMES = [
  'ReleaseIncompleteError',
  'InvalidRequestError',
  'ConfigurationError',
  'DependencyUnavailableError',
];

let stack: PackagedStack;
let template: CfnTemplate;

beforeAll(async () => {
  stack = await packageStack();
  template = stack.template;
  console.info(`osls package --stage ${STAGE}: ${Math.round(stack.durationMs)} ms`);
}, 180_000);

describe('osls package', () => {
  it('packages without AWS and without errors', () => {
    expect(stack.output).toMatch(/Service packaged/);
    expect(stack.output).not.toMatch(/\bError\b/);
  });

  it('resolves every framework variable (nothing left for AWS to resolve at deploy)', () => {
    const text = JSON.stringify(template);
    expect(text).not.toMatch(/\$\{(?:self|sls|opt|param|file|env|aws|ssm|cf|s3):/);
  });
});

describe('the function', () => {
  it('runs the bundle on Node 22 (or 24), arm64, with the chosen memory and timeout', () => {
    const props = properties(resource(template, FUNCTION_ID));
    expect(['nodejs22.x', 'nodejs24.x']).toContain(props.Runtime);
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Handler).toBe('dist/release/handler.handler');
    expect(props.MemorySize).toBe(512);
    // Above the HTTP API's 30 s (the code caps HTTP requests at 25 s) for asynchronous work.
    expect(props.Timeout).toBe(300);
    expect(props.Role).toEqual(FUNCTION_ROLE_ARN);
  });

  it('gets the settings the code reads, and no SOAP endpoint override', () => {
    const variables = (
      properties(resource(template, FUNCTION_ID)).Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(variables).toEqual({
      CALLFIRE_SECRET_ID: SECRET_ARN,
      CALLFIRE_TIMEOUT_MS: '10000',
      RELEASE_CONCURRENCY: '8',
      SECRET_CACHE_TTL_SECONDS: '300',
      POWERTOOLS_SERVICE_NAME: 'callfire-release',
      POWERTOOLS_METRICS_NAMESPACE: 'CallFireRelease',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('logs to an explicit log group with a retention, created before the function', () => {
    const logGroup = properties(resource(template, 'ReleaseLogGroup'));
    expect(logGroup.LogGroupName).toBe(`/aws/lambda/callfire-release-${STAGE}`);
    expect(logGroup.RetentionInDays).toBe(30);
    expect(asArray(resource(template, FUNCTION_ID).DependsOn)).toContain('ReleaseLogGroup');
    expect(properties(resource(template, 'HttpApiLogGroup')).RetentionInDays).toBe(30);
  });
});

describe('the deployment artifact', () => {
  it('holds the bundle alone, at the handler path', () => {
    const entries = readZip(readFileSync(stack.artifactPath));
    const names = entries.map((entry) => entry.name);
    expect(names).toEqual([BUNDLE]);
    for (const name of names) {
      expect(name).not.toMatch(/(^|\/)node_modules\//);
      expect(name).not.toMatch(/\.(ts|mts|cts|map)$/);
      expect(name).not.toMatch(/(^|\/)(test|tests|__tests__)\/|\.test\./);
    }
    // The shipped file is the current build, byte for byte.
    const shipped = entries.find((entry) => entry.name === BUNDLE);
    expect(shipped?.read().equals(readFileSync(`${ROOT}/${BUNDLE}`))).toBe(true);
  });

  it('keeps the error names Step Functions matches on, through minification', () => {
    const entries = readZip(readFileSync(stack.artifactPath));
    const bundle =
      entries
        .find((entry) => entry.name === BUNDLE)
        ?.read()
        .toString('utf8') ?? '';
    for (const name of ERROR_NAMES) {
      expect(bundle, `${name} in the shipped bundle`).toMatch(new RegExp(`["'\`]${name}["'\`]`));
    }
  });
});

describe('HTTPS', () => {
  it('routes POST /releases, with IAM authorization, to the function (payload 2.0)', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
    expect(routes).toHaveLength(1);
    const [, route] = routes[0] as [string, ReturnType<typeof resource>];
    expect(properties(route).RouteKey).toBe('POST /releases');
    expect(properties(route).AuthorizationType).toBe('AWS_IAM');
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(1);
    const [, integration] = integrations[0] as [string, ReturnType<typeof resource>];
    expect(properties(integration).PayloadFormatVersion).toBe('2.0');
    expect(JSON.stringify(properties(integration).IntegrationUri)).toContain(FUNCTION_ID);
  });

  it('throttles the stage and writes access logs', () => {
    const stage = properties(resource(template, 'HttpApiStage'));
    expect(stage.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 10,
    });
    expect(stage.AccessLogSettings).toMatchObject({
      DestinationArn: { 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] },
    });
  });

  it('offers callers a policy for exactly that route', () => {
    const [statement, ...others] = allStatements(template).filter(
      (found) => found.where === 'ReleaseHttpCallerPolicy',
    );
    expect(others).toEqual([]);
    expect(actionsOf(statement?.statement ?? {})).toEqual(['execute-api:Invoke']);
    expect(resourcesOf(statement?.statement ?? {})).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/POST/releases',
      },
    ]);
  });
});

describe('least privilege', () => {
  it('writes only well-formed statements (IAM grammar is outside the resource specification)', () => {
    const keys = new Set([
      'Sid',
      'Effect',
      'Principal',
      'NotPrincipal',
      'Action',
      'NotAction',
      'Resource',
      'NotResource',
      'Condition',
    ]);
    for (const { where, statement } of allStatements(template)) {
      expect(
        Object.keys(statement).filter((key) => !keys.has(key)),
        where,
      ).toEqual([]);
      expect(['Allow', 'Deny'], where).toContain(statement.Effect);
      // NotAction/NotResource grant everything else: the project never writes them.
      expect(statement.NotAction ?? statement.NotResource, where).toBeUndefined();
    }
  });

  it('writes no statement on Resource "*" anywhere in the template', () => {
    const offenders = allStatements(template).filter(({ statement }) =>
      resourcesOf(statement).some((value) => value === '*'),
    );
    expect(offenders.map(({ where }) => where)).toEqual([]);
  });

  it("gives the project's statements (Sid Project*) no wildcard resource", () => {
    const project = allStatements(template).filter(({ statement }) =>
      String(statement.Sid ?? '').startsWith('Project'),
    );
    expect(project.length).toBeGreaterThanOrEqual(10);
    const offenders = project.filter(
      ({ statement }) =>
        statement.Effect === 'Allow' &&
        resourcesOf(statement).some((value) => isWildcardResource(value)),
    );
    expect(offenders.map(({ where, statement }) => `${where} ${String(statement.Sid)}`)).toEqual(
      [],
    );
  });

  it("has only the project's statements in the function's role, each on one resource", () => {
    const statements = roleStatements(template, FUNCTION_ROLE_ID);
    for (const { statement } of statements) {
      expect(String(statement.Sid)).toMatch(/^Project/);
      expect(statement.Effect).toBe('Allow');
      expect(resourcesOf(statement)).toHaveLength(1);
    }
    expect(statements.flatMap(({ statement }) => actionsOf(statement)).sort()).toEqual([
      'kms:Decrypt',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
    ]);
    // No other policy attaches itself to the role.
    expect(resourcesOfType(template, 'AWS::IAM::Policy')).toEqual([]);
  });

  it('lets the function read exactly the secret CALLFIRE_SECRET_ID names, with one action', () => {
    const secretStatements = roleStatements(template, FUNCTION_ROLE_ID).filter(({ statement }) =>
      actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
    );
    expect(secretStatements).toHaveLength(1);
    const [{ statement, conditions }] = secretStatements as [(typeof secretStatements)[number]];
    expect(conditions).toEqual([]);
    expect(actionsOf(statement)).toEqual(['secretsmanager:GetSecretValue']);
    expect(resourcesOf(statement)).toEqual([SECRET_ARN]);
  });

  it('grants kms:Decrypt only when a customer-managed key is given, only via Secrets Manager', () => {
    const kms = roleStatements(template, FUNCTION_ROLE_ID).filter(({ statement }) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );
    expect(kms).toHaveLength(1);
    const [{ statement, conditions }] = kms as [(typeof kms)[number]];
    expect(conditions).toEqual(['HasKmsKey']);
    expect(actionsOf(statement)).toEqual(['kms:Decrypt']);
    expect(resourcesOf(statement)).toEqual([{ Ref: 'SecretKmsKeyArn' }]);
    expect(statement.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' },
      },
    });
    expect(template.Conditions?.HasKmsKey).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'SecretKmsKeyArn' }, ''] }],
    });
    expect(template.Parameters?.SecretKmsKeyArn?.Default).toBe('');
  });

  it('writes logs only to its own log group', () => {
    const logs = roleStatements(template, FUNCTION_ROLE_ID).filter(({ statement }) =>
      actionsOf(statement).some((action) => action.startsWith('logs:')),
    );
    expect(logs.flatMap(({ statement }) => resourcesOf(statement))).toEqual([
      { 'Fn::GetAtt': ['ReleaseLogGroup', 'Arn'] },
    ]);
  });
});

describe('the secret', () => {
  it('is created (kept on removal) unless an existing secret ARN is given', () => {
    const secret = resource(template, 'CallFireSecret');
    expect(secret.Condition).toBe('CreateSecret');
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(secret.UpdateReplacePolicy).toBe('Retain');
    expect(JSON.parse(String(properties(secret).SecretString))).toEqual({
      username: 'REPLACE_ME',
      password: 'REPLACE_ME',
    });
    expect(template.Conditions?.CreateSecret).toEqual({
      'Fn::Equals': [{ Ref: 'ExistingSecretArn' }, ''],
    });
    expect(template.Parameters?.ExistingSecretArn?.Default).toBe('');
  });
});

describe('EventBridge', () => {
  it('matches Release Requested events from callfire.release on the chosen bus (default bus)', () => {
    const rule = properties(resource(template, 'ReleaseRequestedRule'));
    expect(rule.EventPattern).toEqual({
      source: ['callfire.release'],
      'detail-type': ['Release Requested'],
    });
    expect(rule.EventBusName).toEqual({ Ref: 'EventBusName' });
    expect(template.Parameters?.EventBusName?.Default).toBe('default');
    expect(rule.State).toBe('ENABLED');
    expect(rule.Targets).toEqual([
      expect.objectContaining({ Arn: FUNCTION_ARN, DeadLetterConfig: { Arn: QUEUE_ARN } }),
    ]);
    expect(properties(resource(template, 'ReleaseRequestedPermission'))).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: FUNCTION_ARN,
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['ReleaseRequestedRule', 'Arn'] },
    });
  });

  it('has a monthly rule, off by default, whose schedule and Input are stage parameters', () => {
    const rule = properties(resource(template, 'MonthlyReleaseRule'));
    expect(rule.ScheduleExpression).toEqual({ Ref: 'MonthlyReleaseSchedule' });
    expect(rule.State).toEqual({ 'Fn::If': ['MonthlyReleaseOn', 'ENABLED', 'DISABLED'] });
    expect(template.Conditions?.MonthlyReleaseOn).toEqual({
      'Fn::Equals': [{ Ref: 'MonthlyReleaseEnabled' }, 'true'],
    });
    expect(template.Parameters?.MonthlyReleaseEnabled?.Default).toBe('false');
    expect(template.Parameters?.MonthlyReleaseSchedule?.Default).toMatch(/^(cron|rate)\(.+\)$/);
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: FUNCTION_ARN,
        Input: { Ref: 'MonthlyReleaseRequest' },
        DeadLetterConfig: { Arn: QUEUE_ARN },
      }),
    ]);
    expect(properties(resource(template, 'MonthlyReleasePermission'))).toMatchObject({
      FunctionName: FUNCTION_ARN,
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['MonthlyReleaseRule', 'Arn'] },
    });
  });

  it("sends a constant Input the function's own validator accepts", () => {
    const input = template.Parameters?.MonthlyReleaseRequest?.Default;
    expect(typeof input).toBe('string');
    expect(() => parseReleaseRequest(JSON.parse(input as string))).not.toThrow();
  });

  it("sends, in every stage's params, a monthly request the validator accepts", () => {
    const params = stack.state.service.initialServerlessConfig.params ?? {};
    const requests = Object.entries(params).flatMap(([stage, values]) =>
      values.monthlyReleaseRequest === undefined
        ? []
        : [[stage, values.monthlyReleaseRequest] as const],
    );
    expect(requests.map(([stage]) => stage)).toContain('default');
    for (const [stage, request] of requests) {
      expect(typeof request, `params.${stage}.monthlyReleaseRequest`).toBe('string');
      expect(
        () => parseReleaseRequest(JSON.parse(request as string)),
        `params.${stage}.monthlyReleaseRequest`,
      ).not.toThrow();
    }
  });
});

describe('EventBridge Scheduler', () => {
  it('has a schedule group and a role only its schedules can assume, to invoke the function', () => {
    expect(properties(resource(template, 'ReleaseScheduleGroup')).Name).toBe(
      `callfire-release-${STAGE}`,
    );
    const trust = allStatements(template).filter(
      (found) => found.where === 'SchedulerInvokeRole/trust',
    );
    expect(trust).toHaveLength(1);
    expect(trust[0]?.statement).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ReleaseScheduleGroup', 'Arn'] } },
      },
    });
    const permissions = roleStatements(template, 'SchedulerInvokeRole').map(({ statement }) => [
      actionsOf(statement),
      resourcesOf(statement),
    ]);
    expect(permissions).toEqual([
      [['lambda:InvokeFunction'], [FUNCTION_ARN]],
      [['sqs:SendMessage'], [QUEUE_ARN]],
    ]);
  });
});

describe('asynchronous failures', () => {
  it('retries deliberately, then sends the record to the failure queue', () => {
    const configs = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig');
    expect(configs).toHaveLength(1);
    const [, config] = configs[0] as [string, ReturnType<typeof resource>];
    expect(properties(config)).toEqual({
      FunctionName: { Ref: FUNCTION_ID },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: QUEUE_ARN } },
    });
  });

  it('keeps failures encrypted for 14 days', () => {
    const queue = properties(resource(template, 'ReleaseFailuresQueue'));
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(queue.FifoQueue).toBeUndefined(); // Lambda destinations cannot be FIFO queues.
  });

  it("lets the function's role send to the queue, through its policy and the queue's", () => {
    const fromRole = roleStatements(template, FUNCTION_ROLE_ID).filter(({ statement }) =>
      actionsOf(statement).includes('sqs:SendMessage'),
    );
    expect(fromRole.map(({ statement }) => resourcesOf(statement))).toEqual([[QUEUE_ARN]]);

    const policy = properties(resource(template, 'ReleaseFailuresQueuePolicy'));
    expect(policy.Queues).toEqual([{ Ref: 'ReleaseFailuresQueue' }]);
    const statements = allStatements(template)
      .filter((found) => found.where === 'ReleaseFailuresQueuePolicy')
      .map(({ statement }) => statement);
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { AWS: FUNCTION_ROLE_ARN },
        Action: 'sqs:SendMessage',
        Resource: QUEUE_ARN,
      }),
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: QUEUE_ARN,
        Condition: {
          ArnEquals: {
            'aws:SourceArn': [
              { 'Fn::GetAtt': ['ReleaseRequestedRule', 'Arn'] },
              { 'Fn::GetAtt': ['MonthlyReleaseRule', 'Arn'] },
            ],
          },
        },
      }),
    ]);
    expect(statements.filter((statement) => statement.Effect === 'Deny')).toEqual([
      expect.objectContaining({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });
});

describe('alarms', () => {
  const metricOf = (alarm: Record<string, unknown>) => `${alarm.Namespace}/${alarm.MetricName}`;

  it('watch errors, throttles, the failure queue, destination delivery and logged errors', () => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) =>
      properties(alarm),
    );
    expect(alarms.map(metricOf).sort()).toEqual([
      'AWS/Lambda/DestinationDeliveryFailures',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Throttles',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'CallFireRelease/LoggedErrors',
    ]);
    for (const alarm of alarms) {
      const dimension = metricOf(alarm).startsWith('AWS/SQS')
        ? { Name: 'QueueName', Value: { 'Fn::GetAtt': ['ReleaseFailuresQueue', 'QueueName'] } }
        : { Name: 'FunctionName', Value: { Ref: FUNCTION_ID } };
      expect(alarm.Dimensions, metricOf(alarm)).toEqual([dimension]);
      expect(alarm.Threshold).toBe(1);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  it("count the function's ERROR log lines per function (stages apart)", () => {
    const filter = properties(resource(template, 'LoggedErrorsMetricFilter'));
    expect(filter.LogGroupName).toEqual({ Ref: 'ReleaseLogGroup' });
    expect(filter.FilterPattern).toBe('{ $.level = "ERROR" }');
    expect(filter.MetricTransformations).toEqual([
      expect.objectContaining({
        MetricNamespace: 'CallFireRelease',
        MetricName: 'LoggedErrors',
        Dimensions: [{ Key: 'FunctionName', Value: '$.function_name' }],
      }),
    ]);
  });

  it('notify one SNS topic, with an optional e-mail subscription', () => {
    for (const [logicalId, alarm] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
      expect(properties(alarm).AlarmActions, logicalId).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(properties(alarm).OKActions, logicalId).toEqual([{ Ref: 'AlarmTopic' }]);
    }
    expect(resource(template, 'AlarmTopic').Type).toBe('AWS::SNS::Topic');
    const subscription = resource(template, 'AlarmEmailSubscription');
    expect(subscription.Condition).toBe('HasAlarmEmail');
    expect(properties(subscription)).toEqual({
      TopicArn: { Ref: 'AlarmTopic' },
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
    });
    expect(template.Parameters?.AlarmEmail?.Default).toBe('');
  });
});

describe("AWS's CloudFormation resource specification", () => {
  it('knows every resource type, property and required property in the template', () => {
    expect(checkTemplate(template)).toEqual([]);
  });
});
