// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation Fn::Sub and ASL substitution syntax
// The bulk release jobs' part of the deployment, checked offline: the jobs bucket, the state
// machine (its definition is infra/release-job.asl.json, valid, wired to this stack), the job API
// and Finalize functions, their roles and the state machine's, the routes, the caller policy and
// the outputs. Packages into a directory of its own (stack.test.ts packages at the same time).
// The resource specification check and cfn-lint in stack.test.ts cover these resources too.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import validateAsl from 'asl-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJob } from '../../functions/jobs/start-job';
import { FakeEngine, FakeFiles } from '../helpers/jobs-fakes';
import { JOBS_BUNDLE, type PackagedStack, packageStack, ROOT, STAGE } from './package-stack';
import {
  actionsOf,
  allStatements,
  asArray,
  type CfnTemplate,
  properties,
  resource,
  resourcesOf,
  resourcesOfType,
  roleStatements,
} from './template';
import { readZip } from './zip';

const DEFINITION_FILE = path.join(ROOT, 'infra/release-job.asl.json');
const MACHINE = `callfire-release-${STAGE}-release-job`;
const STATES = 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}';
const sub = (text: string) => ({ 'Fn::Sub': text });
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

let outputDir: string;
let stack: PackagedStack;
let template: CfnTemplate;

beforeAll(async () => {
  outputDir = mkdtempSync(path.join(tmpdir(), 'jobs-stack-'));
  stack = await packageStack({ outputDir });
  template = stack.template;
}, 180_000);

afterAll(() => {
  if (outputDir) rmSync(outputDir, { recursive: true, force: true });
});

/** [Sid, actions, resource] of every statement of a role. */
function grants(roleId: string): [string, string[], unknown][] {
  return roleStatements(template, roleId).map(({ statement }) => {
    expect(statement.Effect, `${roleId} ${String(statement.Sid)}`).toBe('Allow');
    expect(resourcesOf(statement), `${roleId} ${String(statement.Sid)}`).toHaveLength(1);
    return [String(statement.Sid), actionsOf(statement), resourcesOf(statement)[0]];
  });
}

describe('the jobs bucket', () => {
  const bucket = () => resource(template, 'JobsBucket');

  it('is encrypted with S3-managed keys, private, ACL-free, and kept on removal', () => {
    const props = properties(bucket());
    expect(props.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    expect(props.BucketName).toBeUndefined();
    expect(bucket().DeletionPolicy).toBe('Retain');
    expect(bucket().UpdateReplacePolicy).toBe('Retain');
  });

  it('expires uploads/ and jobs/ after jobsRetentionDays (30) and aborts broken uploads after a day', () => {
    expect(properties(bucket()).LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'expire-uploads',
          Status: 'Enabled',
          Prefix: 'uploads/',
          ExpirationInDays: { Ref: 'JobsRetentionDays' },
        },
        {
          Id: 'expire-jobs',
          Status: 'Enabled',
          Prefix: 'jobs/',
          ExpirationInDays: { Ref: 'JobsRetentionDays' },
        },
        {
          Id: 'abort-incomplete-multipart-uploads',
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
    expect(template.Parameters?.JobsRetentionDays).toMatchObject({
      Type: 'Number',
      Default: '30',
      MinValue: 1,
    });
  });

  it('refuses plain HTTP on the bucket and its objects, and allows nothing in its policy', () => {
    expect(properties(resource(template, 'JobsBucketPolicy')).Bucket).toEqual({
      Ref: 'JobsBucket',
    });
    const statements = allStatements(template)
      .filter(({ where }) => where === 'JobsBucketPolicy')
      .map(({ statement }) => statement);
    const deny = (Sid: string, Resource: unknown) => ({
      Sid,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(statements).toEqual([
      deny('ProjectDenyInsecureTransportBucket', getAtt('JobsBucket')),
      deny('ProjectDenyInsecureTransportObjects', sub('${JobsBucket.Arn}/*')),
    ]);
  });
});

describe('the release job state machine', () => {
  const machine = () => properties(resource(template, 'ReleaseJobStateMachine'));

  it("is a Standard state machine of a fixed name whose definition is infra/release-job.asl.json's text", () => {
    expect(machine().StateMachineName).toBe(MACHINE);
    expect(machine().StateMachineType).toBe('STANDARD');
    expect(machine().RoleArn).toEqual(getAtt('ReleaseJobStateMachineRole'));
    // Byte for byte: as text, so the framework's null stripping cannot touch "ResultPath": null.
    expect(machine().DefinitionString).toBe(readFileSync(DEFINITION_FILE, 'utf8'));
    expect(machine().Definition).toBeUndefined();
    expect(String(machine().DefinitionString)).toContain('"ResultPath": null');
  });

  it('fills each of the definition substitutions with the resource it names, and only those', () => {
    const used = new Set(
      [...String(machine().DefinitionString).matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]),
    );
    expect([...used].sort()).toEqual(['FinalizeFunctionArn', 'JobsBucket', 'ReleaseFunctionArn']);
    expect(machine().DefinitionSubstitutions).toEqual({
      JobsBucket: { Ref: 'JobsBucket' },
      ReleaseFunctionArn: getAtt('ReleaseLambdaFunction'),
      FinalizeFunctionArn: getAtt('FinalizeLambdaFunction'),
    });
  });

  it('reads from its input exactly what the job API starts it with', async () => {
    // Prepare: an execution input as the job API builds it
    const engine = new FakeEngine();
    await startJob(
      { jobId: 'job-1', numbers: ['14255551212'] },
      { engine, files: new FakeFiles(), resultsUrlTtlSeconds: 900, maxConcurrency: 4 },
    );
    const input = engine.executions.get('job-1')?.input as Record<string, unknown>;

    // Act: every top-level path the definition reads from the execution input
    const text = readFileSync(DEFINITION_FILE, 'utf8');
    const definition = JSON.parse(text) as { States: Record<string, Record<string, unknown>> };
    const map = definition.States.ReleaseItems as Record<string, Record<string, unknown>>;
    const read = [
      ...Object.values((map.ItemReader?.Parameters ?? {}) as Record<string, string>),
      ...Object.values((map.ItemBatcher?.BatchInput ?? {}) as Record<string, string>),
      map.MaxConcurrencyPath,
      ...Object.values((map.ResultWriter?.Parameters ?? {}) as Record<string, string>),
    ].filter((value): value is string => typeof value === 'string' && value.startsWith('$.'));

    // Assess
    expect(read.sort()).toEqual([
      '$.confirmKeywordRelease',
      '$.dryRun',
      '$.itemsKey',
      '$.jobId',
      '$.maxConcurrency',
      '$.resultsPrefix',
      '$.skipConfigured',
    ]);
    for (const jsonPath of read) expect(input, jsonPath).toHaveProperty(jsonPath.slice(2));
  });
});

describe("the definition's error handling for Finalize", () => {
  it('retries what may pass (S3 unavailable, Lambda hiccups), never what will not', () => {
    const definition = JSON.parse(readFileSync(DEFINITION_FILE, 'utf8')) as {
      States: { Finalize: { Retry: { ErrorEquals: string[] }[] } };
    };
    const retried = definition.States.Finalize.Retry.flatMap((retry) => retry.ErrorEquals);
    expect(retried).toContain('DependencyUnavailableError');
    for (const name of [
      'JobResultsError',
      'ConfigurationError',
      'States.ALL',
      'States.TaskFailed',
    ]) {
      expect(retried, name).not.toContain(name);
    }
  });
});

describe('asl-validator', () => {
  const filled = (text: string) =>
    JSON.parse(
      text
        .replaceAll('${JobsBucket}', 'callfire-release-test-jobsbucket-1a2b3c')
        .replaceAll(
          '${ReleaseFunctionArn}',
          'arn:aws:lambda:us-east-1:123456789012:function:callfire-release-test',
        )
        .replaceAll(
          '${FinalizeFunctionArn}',
          'arn:aws:lambda:us-east-1:123456789012:function:callfire-release-test-finalize',
        ),
    ) as Record<string, unknown>;

  it('accepts the definition with its substitutions filled in', () => {
    const result = validateAsl(filled(readFileSync(DEFINITION_FILE, 'utf8')));
    expect(result.errorsText(), result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('refuses a broken one: a transition to no state, a task without a resource, a Map without a processor', () => {
    const text = readFileSync(DEFINITION_FILE, 'utf8');
    const brokenTransition = filled(text.replace('"Next": "Finalize"', '"Next": "Finalise"'));
    const noResource = filled(text) as { States: { Finalize: Record<string, unknown> } };
    delete noResource.States.Finalize.Resource;
    const noProcessor = filled(text) as { States: { ReleaseItems: Record<string, unknown> } };
    delete noProcessor.States.ReleaseItems.ItemProcessor;
    for (const broken of [brokenTransition, noResource, noProcessor]) {
      expect(validateAsl(broken).isValid).toBe(false);
    }
  });
});

describe('the job API and Finalize functions', () => {
  const fn = (id: string) => properties(resource(template, id));

  it('run dist/jobs/handler.js on Node 22 arm64: the API 256 MB 29 s, Finalize 512 MB 300 s', () => {
    expect(fn('JobsLambdaFunction')).toMatchObject({
      Handler: 'dist/jobs/handler.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 29,
      Role: getAtt('JobsFunctionRole'),
      FunctionName: `callfire-release-${STAGE}-jobs`,
    });
    expect(fn('FinalizeLambdaFunction')).toMatchObject({
      Handler: 'dist/jobs/handler.finalize',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 300,
      Role: getAtt('FinalizeFunctionRole'),
      FunctionName: `callfire-release-${STAGE}-finalize`,
    });
  });

  it('get the settings the code reads', () => {
    const variables = (id: string) =>
      (fn(id).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables('JobsLambdaFunction')).toEqual({
      JOBS_BUCKET: { Ref: 'JobsBucket' },
      RELEASE_JOB_STATE_MACHINE_ARN: { Ref: 'ReleaseJobStateMachine' },
      JOB_MAX_CONCURRENCY: { Ref: 'JobMaxConcurrency' },
      RESULTS_URL_TTL_SECONDS: '900',
      POWERTOOLS_SERVICE_NAME: 'callfire-release-jobs',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    expect(variables('FinalizeLambdaFunction')).toEqual({
      JOBS_BUCKET: { Ref: 'JobsBucket' },
      POWERTOOLS_SERVICE_NAME: 'callfire-release-jobs',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('take the batches in flight from the stage parameter jobMaxConcurrency: 4 by default, 1 to 40', () => {
    const parameter = template.Parameters?.JobMaxConcurrency;
    expect(parameter?.Default).toBe('4');
    const accepts = (value: string) => new RegExp(`^(?:${parameter?.AllowedPattern})$`).test(value);
    for (const value of ['1', '4', '9', '10', '39', '40']) expect(accepts(value), value).toBe(true);
    for (const value of ['', '0', '41', '04', '100', '4.5', '-1'])
      expect(accepts(value), value).toBe(false);
  });

  it('log to their own log groups, kept 30 days', () => {
    for (const [group, name] of [
      ['JobsLogGroup', 'jobs'],
      ['FinalizeLogGroup', 'finalize'],
    ] as const) {
      expect(properties(resource(template, group))).toMatchObject({
        LogGroupName: `/aws/lambda/callfire-release-${STAGE}-${name}`,
        RetentionInDays: 30,
      });
    }
  });

  it('ship dist/jobs/handler.js alone, each, as built; the release artifact does not grow', () => {
    const built = readFileSync(path.join(ROOT, JOBS_BUNDLE));
    for (const artifact of ['jobs.zip', 'finalize.zip']) {
      const entries = readZip(readFileSync(path.join(stack.artifactsDir, artifact)));
      expect(
        entries.map((entry) => entry.name),
        artifact,
      ).toEqual([JOBS_BUNDLE]);
      expect(entries[0]?.read().equals(built), artifact).toBe(true);
    }
    const release = readZip(readFileSync(stack.artifactPath)).map((entry) => entry.name);
    expect(release).toEqual(['dist/release/handler.js']);
  });

  it('serve the three job routes, each with IAM authorization, payload 2.0; Finalize has no route', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route')
      .map(([, route]) => properties(route))
      .filter((route) => String(route.RouteKey).includes('/release-jobs'));
    expect(routes.map((route) => route.RouteKey)).toEqual([
      'POST /release-jobs',
      'GET /release-jobs/{jobId}',
      'DELETE /release-jobs/{jobId}',
    ]);
    for (const route of routes) {
      expect(route.AuthorizationType, String(route.RouteKey)).toBe('AWS_IAM');
      expect(JSON.stringify(route.Target), String(route.RouteKey)).toContain(
        'HttpApiIntegrationJobs',
      );
    }
    expect(properties(resource(template, 'HttpApiIntegrationJobs'))).toMatchObject({
      PayloadFormatVersion: '2.0',
      IntegrationUri: getAtt('JobsLambdaFunction'),
    });
    expect(JSON.stringify(template.Resources)).not.toMatch(
      /HttpApiIntegrationFinalize|FinalizeLambdaPermission/,
    );
  });
});

describe('least privilege for jobs', () => {
  it('lets the state machine invoke the two functions, read and write jobs/*, and run its own batches', () => {
    expect(grants('ReleaseJobStateMachineRole')).toEqual([
      ['ProjectInvokeReleaseFunction', ['lambda:InvokeFunction'], getAtt('ReleaseLambdaFunction')],
      [
        'ProjectInvokeFinalizeFunction',
        ['lambda:InvokeFunction'],
        getAtt('FinalizeLambdaFunction'),
      ],
      ['ProjectReadJobFiles', ['s3:GetObject'], sub('${JobsBucket.Arn}/jobs/*')],
      ['ProjectListJobsBucket', ['s3:ListBucket'], getAtt('JobsBucket')],
      [
        'ProjectWriteJobResults',
        ['s3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        sub('${JobsBucket.Arn}/jobs/*'),
      ],
      [
        'ProjectStartBatchExecutions',
        ['states:StartExecution'],
        sub(`${STATES}:stateMachine:${MACHINE}`),
      ],
      [
        'ProjectManageBatchExecutions',
        ['states:DescribeExecution', 'states:StopExecution'],
        sub(`${STATES}:execution:${MACHINE}/*`),
      ],
    ]);
  });

  it('lets only this state machine (and its Map) assume its role', () => {
    const trust = allStatements(template).filter(
      ({ where }) => where === 'ReleaseJobStateMachineRole/trust',
    );
    expect(trust.map(({ statement }) => statement)).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': [
              sub(`${STATES}:stateMachine:${MACHINE}`),
              sub(`${STATES}:stateMachine:${MACHINE}/*`),
            ],
          },
        },
      },
    ]);
  });

  it('lets the job API start, read and follow this state machine, read uploads/ and jobs/, write jobs/', () => {
    expect(grants('JobsFunctionRole')).toEqual([
      [
        'ProjectWriteOwnLogs',
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        getAtt('JobsLogGroup'),
      ],
      ['ProjectStartReleaseJobs', ['states:StartExecution'], { Ref: 'ReleaseJobStateMachine' }],
      [
        'ProjectReadReleaseJobs',
        ['states:DescribeExecution', 'states:ListMapRuns'],
        sub(`${STATES}:execution:${MACHINE}:*`),
      ],
      ['ProjectReadJobMapRuns', ['states:DescribeMapRun'], sub(`${STATES}:mapRun:${MACHINE}/*`)],
      ['ProjectReadUploads', ['s3:GetObject'], sub('${JobsBucket.Arn}/uploads/*')],
      ['ProjectReadJobFiles', ['s3:GetObject'], sub('${JobsBucket.Arn}/jobs/*')],
      ['ProjectWriteJobFiles', ['s3:PutObject'], sub('${JobsBucket.Arn}/jobs/*')],
      ['ProjectListJobsBucket', ['s3:ListBucket'], getAtt('JobsBucket')],
    ]);
  });

  it('lets Finalize read and write jobs/* and write its own logs, nothing else', () => {
    expect(grants('FinalizeFunctionRole')).toEqual([
      [
        'ProjectWriteOwnLogs',
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        getAtt('FinalizeLogGroup'),
      ],
      ['ProjectReadJobFiles', ['s3:GetObject'], sub('${JobsBucket.Arn}/jobs/*')],
      ['ProjectWriteJobResults', ['s3:PutObject'], sub('${JobsBucket.Arn}/jobs/*')],
      ['ProjectListJobsBucket', ['s3:ListBucket'], getAtt('JobsBucket')],
    ]);
  });

  it('leaves the release function with its own role, untouched by jobs', () => {
    const releaseRole = JSON.stringify(roleStatements(template, 'ReleaseFunctionRole'));
    expect(releaseRole).not.toMatch(/JobsBucket|states:|release-job/);
  });

  it('offers callers one policy: the three job routes and uploads/ of the jobs bucket', () => {
    const api = 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*';
    const statements = allStatements(template)
      .filter(({ where }) => where === 'ReleaseJobsCallerPolicy')
      .map(({ statement }) => [
        statement.Sid,
        statement.Effect,
        actionsOf(statement),
        asArray(statement.Resource as unknown),
      ]);
    expect(statements).toEqual([
      [
        'ProjectInvokeStartJobRoute',
        'Allow',
        ['execute-api:Invoke'],
        [sub(`${api}/POST/release-jobs`)],
      ],
      [
        'ProjectInvokeJobStatusRoute',
        'Allow',
        ['execute-api:Invoke'],
        [sub(`${api}/GET/release-jobs/*`)],
      ],
      [
        'ProjectInvokeStopJobRoute',
        'Allow',
        ['execute-api:Invoke'],
        [sub(`${api}/DELETE/release-jobs/*`)],
      ],
      ['ProjectUploadJobFiles', 'Allow', ['s3:PutObject'], [sub('${JobsBucket.Arn}/uploads/*')]],
    ]);
  });
});

describe('job outputs', () => {
  it('give the jobs endpoint, the bucket, the state machine and the caller policy', () => {
    const value = (name: string) => template.Outputs?.[name]?.Value;
    expect(value('JobsEndpoint')).toEqual(sub('${HttpApi.ApiEndpoint}/release-jobs'));
    expect(value('JobsBucketName')).toEqual({ Ref: 'JobsBucket' });
    expect(value('ReleaseJobStateMachineArn')).toEqual({ Ref: 'ReleaseJobStateMachine' });
    expect(value('ReleaseJobsCallerPolicyArn')).toEqual({ Ref: 'ReleaseJobsCallerPolicy' });
  });
});
