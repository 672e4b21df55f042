/**
 * A deployed stack's outputs (infra/outputs.yml), read with CloudFormation DescribeStacks: where
 * the release API is, the schedule group and role, the failure queue, the jobs bucket.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { type AwsOptions, awsFailure, clientConfig } from './aws';
import { configurationError } from './errors';

/** A stack as the tool uses it: its region (as resolved) and its outputs by key. */
export interface Stack {
  name: string;
  region: string;
  outputs: Record<string, string>;
  aws: AwsOptions;
}

/**
 * Reads stack `name`'s outputs, in `--region` (or the profile's or environment's region).
 *
 * @throws CliError (exit 3) for an unknown stack, missing credentials or region, or a refusal
 */
export async function describeStack(name: string, aws: AwsOptions): Promise<Stack> {
  const client = new CloudFormationClient(clientConfig(aws));
  const doing = `reading stack ${name}'s outputs (cloudformation:DescribeStacks)`;
  try {
    const region = await client.config.region();
    const answer = await client.send(new DescribeStacksCommand({ StackName: name }));
    const [stack] = answer.Stacks ?? [];
    if (!stack) throw configurationError(`stack ${name} does not exist in ${region}`);
    const outputs: Record<string, string> = {};
    for (const { OutputKey, OutputValue } of stack.Outputs ?? []) {
      if (OutputKey && OutputValue !== undefined) outputs[OutputKey] = OutputValue;
    }
    return { name, region, outputs, aws: { ...aws, region } };
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test(`${error}`)) {
      const region = await client.config.region().catch(() => aws.region ?? '?');
      throw configurationError(
        `stack ${name} does not exist in ${region} (check --stack and --region)`,
      );
    }
    throw awsFailure(error, doing, aws);
  } finally {
    client.destroy();
  }
}

/**
 * Output `key` of `stack`.
 *
 * @throws CliError (exit 3) when the stack has no such output (an older deployment)
 */
export function stackOutput(stack: Stack, key: string): string {
  const value = stack.outputs[key];
  if (!value) {
    throw configurationError(
      `stack ${stack.name} has no output ${key}: is it a callfire-release stack, deployed from this version?`,
    );
  }
  return value;
}
