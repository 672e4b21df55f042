// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation Fn::Sub syntax
// The specification check must be able to fail: each case feeds it one defect and expects it named.
import { describe, expect, it } from 'vitest';
import { checkTemplate } from './cfn-spec';
import type { CfnTemplate } from './template';

const queue = { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } };

function check(resources: CfnTemplate['Resources'], extra: Partial<CfnTemplate> = {}): string[] {
  return checkTemplate({ Resources: resources, ...extra });
}

describe('checkTemplate', () => {
  it('passes a valid template', () => {
    expect(
      check(
        {
          Queue: queue,
          Rule: {
            Type: 'AWS::Events::Rule',
            Properties: {
              ScheduleExpression: 'rate(1 day)',
              State: { 'Fn::If': ['On', 'ENABLED', 'DISABLED'] },
              Targets: [
                { Id: 'q', Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Input: { Ref: 'Request' } },
              ],
            },
          },
        },
        {
          Parameters: { Request: { Type: 'String', Default: '{}' } },
          Conditions: { On: { 'Fn::Equals': ['a', 'a'] } },
          Outputs: { Url: { Value: { 'Fn::Sub': '${Queue.QueueUrl}?x=${!Literal}' } } },
        },
      ),
    ).toEqual([]);
  });

  it('reports an unknown resource type', () => {
    expect(check({ Q: { Type: 'AWS::SQS::Queueue' } })).toEqual([
      'Resources.Q: unknown resource type AWS::SQS::Queueue',
    ]);
  });

  it('reports an unknown property', () => {
    expect(check({ Q: { Type: 'AWS::SQS::Queue', Properties: { RetentionDays: 14 } } })).toEqual([
      'Resources.Q.Properties: unknown property RetentionDays',
    ]);
  });

  it('reports a missing required property', () => {
    expect(
      check({
        Q: queue,
        P: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'Q' }] } },
      }),
    ).toEqual(['Resources.P.Properties: required property PolicyDocument is missing']);
  });

  it('reports unknown and missing properties inside nested structures', () => {
    expect(
      check({
        Q: queue,
        R: {
          Type: 'AWS::Events::Rule',
          Properties: {
            ScheduleExpression: 'rate(1 day)',
            Targets: [{ Arn: { 'Fn::GetAtt': ['Q', 'Arn'] }, DeadLetterQueue: { Arn: 'x' } }],
          },
        },
      }),
    ).toEqual([
      'Resources.R.Properties.Targets[0]: unknown property DeadLetterQueue',
      'Resources.R.Properties.Targets[0]: required property Id is missing',
    ]);
  });

  it('checks both branches of an Fn::If against the property type', () => {
    const problems = check(
      {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {},
            Policies: [
              { 'Fn::If': ['C', { PolicyName: 'p', Document: {} }, { Ref: 'AWS::NoValue' }] },
            ],
          },
        },
      },
      { Conditions: { C: { 'Fn::Equals': ['a', 'b'] } } },
    );
    expect(problems).toEqual([
      'Resources.Role.Properties.Policies[0]<0>: unknown property Document',
      'Resources.Role.Properties.Policies[0]<0>: required property PolicyDocument is missing',
    ]);
  });

  it('reports a literal of the wrong shape', () => {
    expect(
      check({
        Q: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'two weeks' } },
      }),
    ).toEqual(['Resources.Q.Properties.MessageRetentionPeriod: expected a number']);
  });

  it('reports dangling references, unknown attributes, conditions and dependencies', () => {
    const problems = check({
      Q: { ...queue, Condition: 'Missing', DependsOn: ['Nothing'] },
      T: {
        Type: 'AWS::SNS::Topic',
        Properties: {
          DisplayName: { 'Fn::Sub': '${Nope}-${Q.Url}' },
          TopicName: { 'Fn::GetAtt': ['Q', 'Endpoint'] },
          KmsMasterKeyId: { Ref: 'KeyParameter' },
        },
        Bogus: true,
      },
    });
    expect(problems).toEqual([
      'Resources.Q: unknown condition Missing',
      'Resources.Q: DependsOn unknown resource Nothing',
      'Resources.T: unknown resource attribute Bogus',
      'Resources.T.Properties.DisplayName: Fn::Sub names unknown ${Nope}',
      'Resources.T.Properties.DisplayName: AWS::SQS::Queue has no attribute Url (has Arn, QueueName, QueueUrl)',
      'Resources.T.Properties.TopicName: AWS::SQS::Queue has no attribute Endpoint (has Arn, QueueName, QueueUrl)',
      'Resources.T.Properties.KmsMasterKeyId: Ref names unknown resource or parameter KeyParameter',
    ]);
  });
});
