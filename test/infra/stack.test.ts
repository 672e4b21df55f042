// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation Fn::Sub syntax
// The deployment description, checked offline: `osls package` runs once (beforeAll) and every test
// reads the CloudFormation template and the artifact it wrote. Needs a built bundle (see
// package-stack.ts); no AWS account, no network.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReleaseRequest } from '../../functions/release/request';
import { findCfnLint, runCfnLint } from './cfn-lint';
import { checkTemplate } from './cfn-spec';
import { BUNDLE, type PackagedStack, packageStack, ROOT, STAGE } from './package-stack';
import {
  actionsOf,
  allStatements,
  asArray,
  type CfnTemplate,
  evaluate,
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
const REQUESTS_QUEUE_ID = 'ReleaseRequestsQueue';
const REQUESTS_DLQ_ID = 'ReleaseRequestsDeadLetterQueue';
const REQUESTS_QUEUE_ARN = { 'Fn::GetAtt': [REQUESTS_QUEUE_ID, 'Arn'] };
const REQUESTS_DLQ_ARN = { 'Fn::GetAtt': [REQUESTS_DLQ_ID, 'Arn'] };
const FUNCTION_ARN = { 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] };
const FUNCTION_ROLE_ARN = { 'Fn::GetAtt': [FUNCTION_ROLE_ID, 'Arn'] };
const SECRET_ARN = {
  'Fn::If': ['CreateSecret', { Ref: 'CallFireSecret' }, { Ref: 'ExistingSecretArn' }],
};
const PROTECTED_ITEMS_ID = 'ProtectedItemsParameter';
// What PROTECTED_ITEMS_PARAMETER, the role's statement and the output all name.
const PROTECTED_ITEMS_NAME = {
  'Fn::If': [
    'CreateProtectedItems',
    { Ref: PROTECTED_ITEMS_ID },
    { Ref: 'ExistingProtectedItemsParameter' },
  ],
};
// The only wildcards a project statement may grant: the jobs bucket's two key prefixes, the
// release job state machine's executions, child executions and Map Runs (built from its fixed
// name), and the {jobId} of the job routes. Each one's statements are pinned in
// jobs-stack.test.ts.
const JOB_MACHINE = `callfire-release-${STAGE}-release-job`;
const STATES_ARN = 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}';
const SCOPED_WILDCARDS = [
  '${JobsBucket.Arn}/jobs/*',
  '${JobsBucket.Arn}/uploads/*',
  `${STATES_ARN}:execution:${JOB_MACHINE}:*`,
  `${STATES_ARN}:execution:${JOB_MACHINE}/*`,
  `${STATES_ARN}:mapRun:${JOB_MACHINE}/*`,
  'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/GET/release-jobs/*',
  'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/DELETE/release-jobs/*',
].map((text) => JSON.stringify({ 'Fn::Sub': text }));

// The names the function throws for non-HTTP invocations; Step Functions Retry/Catch match them.
const ERROR_NAMES = [
  'ReleaseIncompleteError',
  'InvalidRequestError',
  'ConfigurationError',
  'DependencyUnavailableError',
  'UnsupportedTriggerError',
  'PlanChangedError',
  'RequestExpiredError',
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
      PROTECTED_ITEMS_PARAMETER: PROTECTED_ITEMS_NAME,
      PROTECTED_ITEMS_TTL_SECONDS: '60',
      MAX_EVENT_AGE_SECONDS: '86400',
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
    // Exactly the bundle: no node_modules, sources, source maps or tests beside it.
    expect(names).toEqual([BUNDLE]);
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
    // The job API's three routes share the API (test/infra/jobs-stack.test.ts checks them).
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, route]) => properties(route).RouteKey).sort()).toEqual([
      'DELETE /release-jobs/{jobId}',
      'GET /release-jobs/{jobId}',
      'POST /release-jobs',
      'POST /releases',
    ]);
    const [, route] = routes.find(
      ([, candidate]) => properties(candidate).RouteKey === 'POST /releases',
    ) as [string, ReturnType<typeof resource>];
    expect(properties(route).AuthorizationType).toBe('AWS_IAM');
    expect(JSON.stringify(properties(route).Target)).toContain('HttpApiIntegrationRelease');
    const integration = properties(resource(template, 'HttpApiIntegrationRelease'));
    expect(integration.PayloadFormatVersion).toBe('2.0');
    expect(integration.IntegrationUri).toEqual(FUNCTION_ARN);
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

  it("gives the project's statements (Sid Project*) no wildcard resource but the jobs' scoped ones", () => {
    const project = allStatements(template).filter(({ statement }) =>
      String(statement.Sid ?? '').startsWith('Project'),
    );
    expect(project.length).toBeGreaterThanOrEqual(10);
    const offenders = project.filter(
      ({ statement }) =>
        statement.Effect === 'Allow' &&
        resourcesOf(statement).some(
          (value) => isWildcardResource(value) && !SCOPED_WILDCARDS.includes(JSON.stringify(value)),
        ),
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
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
      'ssm:GetParameter',
    ]);
    // No other policy attaches itself to the role, and the framework generated no role of its
    // own (it would add its own SQS statement for the sqs event to that one).
    expect(resourcesOfType(template, 'AWS::IAM::Policy')).toEqual([]);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
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

describe('protected items', () => {
  const PSEUDO_PARAMETERS = {
    'AWS::Partition': 'aws',
    'AWS::Region': 'us-east-1',
    'AWS::AccountId': '123456789012',
  };
  const CREATED_NAME = `/callfire-release/${STAGE}/protected-items`;
  // The two ways a stage runs: with the stack's own parameter (Ref of an AWS::SSM::Parameter is
  // its name), or with an existing one it names; that case gives the created one no value, so
  // an expression that reached for it would throw instead of passing.
  const cases = () => [
    {
      name: 'created',
      refs: {
        ...PSEUDO_PARAMETERS,
        ExistingProtectedItemsParameter: '',
        [PROTECTED_ITEMS_ID]: String(properties(resource(template, PROTECTED_ITEMS_ID)).Name),
      },
      parameterName: CREATED_NAME,
    },
    {
      name: 'existing',
      refs: { ...PSEUDO_PARAMETERS, ExistingProtectedItemsParameter: '/ops/never-release' },
      parameterName: '/ops/never-release',
    },
  ];
  const variables = () =>
    (
      properties(resource(template, FUNCTION_ID)).Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;

  it('is a String parameter named for the stage, holding one comment line, created unless an existing one is named, kept on removal', () => {
    const parameter = resource(template, PROTECTED_ITEMS_ID);
    expect(parameter.Type).toBe('AWS::SSM::Parameter');
    expect(parameter.Condition).toBe('CreateProtectedItems');
    expect(template.Conditions?.CreateProtectedItems).toEqual({
      'Fn::Equals': [{ Ref: 'ExistingProtectedItemsParameter' }, ''],
    });
    expect(template.Parameters?.ExistingProtectedItemsParameter?.Default).toBe('');
    expect(parameter.DeletionPolicy).toBe('Retain');
    expect(parameter.UpdateReplacePolicy).toBe('Retain');
    // Pinned whole on purpose: CloudFormation carries out any change to this resource as a
    // PutParameter with overwrite and the template's Value, which would reset the list people
    // wrote to the comment below (infra/protected-items.yml says how to change it safely).
    expect(properties(parameter)).toEqual({
      Name: CREATED_NAME,
      Type: 'String',
      Tier: 'Standard',
      Description: `Numbers and keywords callfire-release-${STAGE} never releases: one number, KEYWORD or SHORTCODE/KEYWORD per line, # comments`,
      Value:
        '# Never released by callfire-release: one number, KEYWORD or SHORTCODE/KEYWORD per line',
    });
    // An empty list: one line, a comment (a value may not be empty in Parameter Store).
    const value = String(properties(parameter).Value);
    expect(value.split(/\r?\n/)).toHaveLength(1);
    expect(value).toMatch(/^#/);
  });

  it('accepts as an existing parameter only a name starting with "/" (or nothing)', () => {
    const pattern = template.Parameters?.ExistingProtectedItemsParameter?.AllowedPattern;
    expect(typeof pattern).toBe('string');
    // CloudFormation matches the whole value.
    const accepts = (name: string) => new RegExp(`^(?:${pattern})$`).test(name);
    for (const name of ['', CREATED_NAME, '/never-release', '/ops/call_fire.v2/never-release']) {
      expect(accepts(name), name).toBe(true);
    }
    for (const name of [
      'protected-items',
      'callfire-release/prod/protected-items',
      'arn:aws:ssm:us-east-1:123456789012:parameter/ops/never-release',
      '/',
      '//ops/never-release',
      '/ops//never-release',
      '/ops/never-release/',
      ' /ops/never-release',
      '/ops/never release',
    ]) {
      expect(accepts(name), name).toBe(false);
    }
  });

  it("gives the function the list's name, its cache time and the stale-event limit", () => {
    const env = variables();
    expect(env.PROTECTED_ITEMS_PARAMETER).toEqual(PROTECTED_ITEMS_NAME);
    for (const { name, refs, parameterName } of cases()) {
      expect(evaluate(template, env.PROTECTED_ITEMS_PARAMETER, refs), name).toBe(parameterName);
    }
    expect(env.PROTECTED_ITEMS_TTL_SECONDS).toBe('60');
    expect(env.MAX_EVENT_AGE_SECONDS).toBe('86400');
  });

  it('refuses EventBridge events as stale only after every delivery and retry could have run', () => {
    const maxEventAge = Number(variables().MAX_EVENT_AGE_SECONDS);
    // EventBridge hands an event over for up to its target's event age, then Lambda keeps and
    // retries it for up to its own, and the last attempt runs for up to the function's timeout.
    const target = (
      properties(resource(template, 'ReleaseRequestedRule')).Targets as {
        RetryPolicy?: { MaximumEventAgeInSeconds?: number };
      }[]
    )[0];
    const handOver = Number(target?.RetryPolicy?.MaximumEventAgeInSeconds);
    const [, invokeConfig] = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')[0] as [
      string,
      ReturnType<typeof resource>,
    ];
    const lambdaAge = Number(properties(invokeConfig).MaximumEventAgeInSeconds);
    const timeout = Number(properties(resource(template, FUNCTION_ID)).Timeout);
    expect(handOver).toBeGreaterThan(0);
    expect(lambdaAge).toBeGreaterThan(0);
    expect(maxEventAge).toBeGreaterThan(handOver + lambdaAge + timeout);
  });

  it('lets the function read exactly that parameter with ssm:GetParameter, and grants no other SSM action', () => {
    const ssm = roleStatements(template, FUNCTION_ROLE_ID).filter(({ statement }) =>
      actionsOf(statement).some((action) => /^(ssm:|\*$)/i.test(action)),
    );
    expect(ssm).toHaveLength(1);
    const [{ statement, conditions }] = ssm as [(typeof ssm)[number]];
    expect(conditions).toEqual([]);
    expect(statement.Sid).toBe('ProjectReadProtectedItems');
    expect(statement.Effect).toBe('Allow');
    expect(statement.Condition).toBeUndefined();
    expect(actionsOf(statement)).toEqual(['ssm:GetParameter']);
    const resources = resourcesOf(statement);
    expect(resources).toHaveLength(1);
    for (const { name, refs, parameterName } of cases()) {
      const arn = evaluate(template, resources[0], refs);
      // One "/" between "parameter" and the name's first segment, and the very name the
      // function reads.
      expect(arn, name).toMatch(/^arn:aws:ssm:us-east-1:123456789012:parameter\/[^/]/);
      expect(arn, name).toBe(`arn:aws:ssm:us-east-1:123456789012:parameter${parameterName}`);
      expect(arn, name).toBe(
        `arn:aws:ssm:us-east-1:123456789012:parameter${String(evaluate(template, variables().PROTECTED_ITEMS_PARAMETER, refs))}`,
      );
    }
    // Nowhere else in the template either: no role or policy gets another SSM action.
    const anywhere = allStatements(template).flatMap(({ statement }) =>
      actionsOf(statement).filter((action) => /^ssm:/i.test(action)),
    );
    expect(anywhere).toEqual(['ssm:GetParameter']);
  });

  it('outputs the name operators write the list to', () => {
    const value = template.Outputs?.ProtectedItemsParameterName?.Value;
    expect(value).toEqual(PROTECTED_ITEMS_NAME);
    for (const { name, refs, parameterName } of cases()) {
      expect(evaluate(template, value, refs), name).toBe(parameterName);
    }
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

describe('the release request queue', () => {
  const queue = () => properties(resource(template, REQUESTS_QUEUE_ID));
  const deadLetterQueue = () => properties(resource(template, REQUESTS_DLQ_ID));

  it('feeds the function through an event source mapping: partial batch responses, 10 records, at most 2 at a time', () => {
    const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings.map(([logicalId]) => logicalId)).toEqual([
      'ReleaseEventSourceMappingSQSReleaseRequestsQueue',
    ]);
    const [, mapping] = mappings[0] as [string, ReturnType<typeof resource>];
    expect(properties(mapping)).toEqual({
      EventSourceArn: REQUESTS_QUEUE_ARN,
      FunctionName: FUNCTION_ARN,
      Enabled: true,
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    // Created once the role (with its polling statement) exists: Lambda checks the permissions.
    expect(asArray(mapping.DependsOn)).toContain(FUNCTION_ROLE_ID);
  });

  it('keeps requests encrypted, invisible for at least 6 function timeouts, and 3 receives before the dead-letter queue', () => {
    const props = queue();
    expect(props.QueueName).toBe(`callfire-release-${STAGE}-requests`);
    expect(props.SqsManagedSseEnabled).toBe(true);
    expect(props.KmsMasterKeyId).toBeUndefined();
    expect(props.FifoQueue).toBeUndefined();
    // AWS's advice for a Lambda source: 6 x the function's timeout, plus the batching window.
    const functionTimeout = Number(properties(resource(template, FUNCTION_ID)).Timeout);
    const [, mapping] = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')[0] as [
      string,
      ReturnType<typeof resource>,
    ];
    const batchingWindow = Number(properties(mapping).MaximumBatchingWindowInSeconds ?? 0);
    expect(functionTimeout).toBeGreaterThan(0);
    expect(props.VisibilityTimeout).toBeGreaterThanOrEqual(6 * functionTimeout + batchingWindow);
    expect(props.VisibilityTimeout).toBeLessThanOrEqual(12 * 3600); // the SQS maximum
    expect(props.RedrivePolicy).toEqual({
      deadLetterTargetArn: REQUESTS_DLQ_ARN,
      maxReceiveCount: 3,
    });
    // A moved message keeps its enqueue time: the dead-letter queue must keep it longer.
    expect(props.MessageRetentionPeriod).toBe(4 * 24 * 3600);
    expect(Number(deadLetterQueue().MessageRetentionPeriod)).toBeGreaterThan(
      Number(props.MessageRetentionPeriod),
    );
  });

  it('keeps dead letters encrypted for 14 days, and takes them from the request queue only', () => {
    const props = deadLetterQueue();
    expect(props.QueueName).toBe(`callfire-release-${STAGE}-requests-dlq`);
    expect(props.SqsManagedSseEnabled).toBe(true);
    expect(props.KmsMasterKeyId).toBeUndefined();
    expect(props.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(props.RedrivePolicy).toBeUndefined();
    // The request queue's ARN, built from its name (a GetAtt would be a circular dependency).
    expect(props.RedriveAllowPolicy).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [
        {
          'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${String(queue().QueueName)}`,
        },
      ],
    });
  });

  it('refuses plain HTTP on both queues, and grants nothing in their policies', () => {
    for (const [policyId, queueId] of [
      ['ReleaseRequestsQueuePolicy', REQUESTS_QUEUE_ID],
      ['ReleaseRequestsDeadLetterQueuePolicy', REQUESTS_DLQ_ID],
    ] as const) {
      expect(properties(resource(template, policyId)).Queues, policyId).toEqual([{ Ref: queueId }]);
      const statements = allStatements(template)
        .filter((found) => found.where === policyId)
        .map(({ statement }) => statement);
      expect(statements, policyId).toEqual([
        {
          Sid: 'ProjectDenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:*',
          Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]);
    }
  });

  it("lets the function's role poll the request queue only, with exactly the actions Lambda needs", () => {
    const polling = roleStatements(template, FUNCTION_ROLE_ID).filter(({ statement }) =>
      actionsOf(statement).some(
        (action) => action.startsWith('sqs:') && action !== 'sqs:SendMessage',
      ),
    );
    expect(polling).toHaveLength(1);
    const [{ statement, conditions }] = polling as [(typeof polling)[number]];
    expect(conditions).toEqual([]);
    expect(statement.Sid).toBe('ProjectPollReleaseRequests');
    expect(actionsOf(statement).sort()).toEqual([
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ]);
    expect(resourcesOf(statement)).toEqual([REQUESTS_QUEUE_ARN]);
    // And nothing else in the role names the request queue or its dead-letter queue.
    const touching = roleStatements(template, FUNCTION_ROLE_ID).filter(({ statement: other }) =>
      JSON.stringify(resourcesOf(other)).match(/ReleaseRequests/),
    );
    expect(touching).toHaveLength(1);
  });

  it('offers senders a policy to send to that queue only', () => {
    const statements = allStatements(template).filter(
      (found) => found.where === 'ReleaseRequestsSenderPolicy',
    );
    expect(resource(template, 'ReleaseRequestsSenderPolicy').Type).toBe('AWS::IAM::ManagedPolicy');
    expect(statements).toHaveLength(1);
    const [{ statement }] = statements as [(typeof statements)[number]];
    expect(statement.Effect).toBe('Allow');
    expect(String(statement.Sid)).toMatch(/^Project/);
    expect(actionsOf(statement)).toEqual(['sqs:SendMessage']);
    expect(resourcesOf(statement)).toEqual([REQUESTS_QUEUE_ARN]);
  });

  it('outputs the queue URL, the sender policy and the dead-letter queue', () => {
    const value = (name: string) => template.Outputs?.[name]?.Value;
    expect(value('ReleaseRequestsQueueUrl')).toEqual({ Ref: REQUESTS_QUEUE_ID });
    expect(value('ReleaseRequestsSenderPolicyArn')).toEqual({ Ref: 'ReleaseRequestsSenderPolicy' });
    expect(value('ReleaseRequestsDeadLetterQueueUrl')).toEqual({ Ref: REQUESTS_DLQ_ID });
    expect(value('ReleaseRequestsDeadLetterQueueArn')).toEqual(REQUESTS_DLQ_ARN);
  });
});

describe('every queue', () => {
  it('is encrypted at rest and refuses plain HTTP', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue').map(([logicalId]) => logicalId);
    expect(queues.sort()).toEqual([
      'ReleaseFailuresQueue',
      'ReleaseRequestsDeadLetterQueue',
      'ReleaseRequestsQueue',
    ]);
    for (const logicalId of queues) {
      expect(properties(resource(template, logicalId)).SqsManagedSseEnabled, logicalId).toBe(true);
      const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([, policy]) =>
        asArray(properties(policy).Queues as unknown[]).some(
          (queueRef) => JSON.stringify(queueRef) === JSON.stringify({ Ref: logicalId }),
        ),
      );
      expect(policies, logicalId).toHaveLength(1);
      const [policyId] = policies[0] as [string, ReturnType<typeof resource>];
      const denies = allStatements(template).filter(
        ({ where, statement }) => where === policyId && statement.Effect === 'Deny',
      );
      expect(
        denies.map(({ statement }) => statement),
        logicalId,
      ).toContainEqual(
        expect.objectContaining({
          Principal: '*',
          Action: 'sqs:*',
          Resource: { 'Fn::GetAtt': [logicalId, 'Arn'] },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });
});

describe('alarms', () => {
  const metricOf = (alarm: Record<string, unknown>) => `${alarm.Namespace}/${alarm.MetricName}`;

  it('watch errors, throttles, the failure queue, destination delivery, logged errors, the request queue and release jobs', () => {
    const functionDimension = { Name: 'FunctionName', Value: { Ref: FUNCTION_ID } };
    const queueDimension = (queueId: string) => ({
      Name: 'QueueName',
      Value: { 'Fn::GetAtt': [queueId, 'QueueName'] },
    });
    const alarms = Object.fromEntries(
      resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([logicalId, alarm]) => {
        const props = properties(alarm);
        return [
          logicalId,
          { metric: metricOf(props), dimensions: props.Dimensions, threshold: props.Threshold },
        ];
      }),
    );
    expect(alarms).toEqual({
      FunctionErrorsAlarm: {
        metric: 'AWS/Lambda/Errors',
        dimensions: [functionDimension],
        threshold: 1,
      },
      FunctionThrottlesAlarm: {
        metric: 'AWS/Lambda/Throttles',
        dimensions: [functionDimension],
        threshold: 1,
      },
      FailedReleasesAlarm: {
        metric: 'AWS/SQS/ApproximateNumberOfMessagesVisible',
        dimensions: [queueDimension('ReleaseFailuresQueue')],
        threshold: 1,
      },
      DestinationDeliveryFailuresAlarm: {
        metric: 'AWS/Lambda/DestinationDeliveryFailures',
        dimensions: [functionDimension],
        threshold: 1,
      },
      LoggedErrorsAlarm: {
        metric: 'CallFireRelease/LoggedErrors',
        dimensions: [functionDimension],
        threshold: 1,
      },
      // Any request in the request queue's dead-letter queue.
      ReleaseRequestsDeadLettersAlarm: {
        metric: 'AWS/SQS/ApproximateNumberOfMessagesVisible',
        dimensions: [queueDimension(REQUESTS_DLQ_ID)],
        threshold: 1,
      },
      // A request waiting 3 hours: nothing consumes the queue (see the next test).
      ReleaseRequestsAgeAlarm: {
        metric: 'AWS/SQS/ApproximateAgeOfOldestMessage',
        dimensions: [queueDimension(REQUESTS_QUEUE_ID)],
        threshold: 3 * 3600,
      },
      // A release job or one of its batches failed.
      ReleaseJobsFailedAlarm: {
        metric: 'AWS/States/ExecutionsFailed',
        dimensions: [{ Name: 'StateMachineArn', Value: { Ref: 'ReleaseJobStateMachine' } }],
        threshold: 1,
      },
    });
    for (const [logicalId, alarm] of resourcesOfType(template, 'AWS::CloudWatch::Alarm')) {
      expect(properties(alarm).TreatMissingData, logicalId).toBe('notBreaching');
      expect(properties(alarm).ComparisonOperator, logicalId).toBe('GreaterThanOrEqualToThreshold');
    }
  });

  it("fire on the request queue's age well before its messages expire unseen", () => {
    const age = properties(resource(template, 'ReleaseRequestsAgeAlarm'));
    const queue = properties(resource(template, REQUESTS_QUEUE_ID));
    expect(age.Statistic).toBe('Maximum');
    // Above a legitimately retried request's age (its last receive comes two visibility timeouts
    // after the first), far below the retention after which SQS deletes it without a trace.
    expect(age.Threshold).toBeGreaterThan(2 * Number(queue.VisibilityTimeout));
    // Leaves days to act: re-enable the mapping, fix the role.
    expect(Number(queue.MessageRetentionPeriod) - Number(age.Threshold)).toBeGreaterThanOrEqual(
      3 * 24 * 3600,
    );
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

describe('cfn-lint (Python, AWS)', () => {
  // W3005 ("DependsOn already enforced by a Ref/GetAtt"): DependsOn lists the framework writes
  // itself (the function on its role, the HTTP API stage and route). Harmless, and not ours.
  const ACCEPTED_WARNINGS = new Set(['W3005']);

  it('finds no error and no warning beyond the known framework ones in the packaged template', (context) => {
    const cfnLint = findCfnLint();
    context.skip(
      cfnLint === undefined,
      'cfn-lint is not on the PATH (`command -v cfn-lint` found nothing): install the Python cfn-lint 1.x to run this check',
    );
    const findings = runCfnLint(cfnLint as string, stack.templatePath);
    const show = (found: (typeof findings)[number]) =>
      `${found.rule} ${found.path}: ${found.message}`;
    expect(findings.filter((found) => found.rule.startsWith('E')).map(show)).toEqual([]);
    expect(
      findings
        .filter((found) => !found.rule.startsWith('E') && !ACCEPTED_WARNINGS.has(found.rule))
        .map(show),
    ).toEqual([]);
  }, 120_000);
});
