/**
 * A local AWS Systems Manager Parameter Store serving `GetParameter`, with the checks and failures
 * it shares with the Secrets Manager stand-in (aws-json-service.ts). The SDK finds it through
 * `AWS_ENDPOINT_URL_SSM=<endpoint>`.
 */

import * as aws from './aws-json-service';
import { LOCAL_ACCOUNT_ID } from './lambda-context';

/** What `failNext` takes, e.g. `'ThrottlingException'`, `'hang'` or `{ delayMs: 3000 }`. */
export type InjectedSsmFailure = aws.AwsFailure<'InternalServerError'>;

/** Starts a local Parameter Store on 127.0.0.1 holding `parameters` (name to String value). */
export function startLocalSsm(
  options: { port?: number | undefined; parameters?: Record<string, string> } = {},
): Promise<LocalSsm> {
  return new LocalSsm(options.parameters ?? {}).listen(options.port);
}

/** A running local Parameter Store; `reset()` brings back the start-up parameters. */
class LocalSsm extends aws.AwsJsonService<'InternalServerError', 'name'> {
  constructor(initial: Record<string, string>) {
    super(initial, {
      target: 'AmazonSSM.GetParameter',
      action: 'ssm:GetParameter',
      idMember: 'Name',
      logAs: 'name',
      internalError: 'InternalServerError',
    });
  }

  /** Creates or overwrites a String parameter; its Version counts the writes since its creation. */
  readonly putParameter: (name: string, value: string) => void = this.put;
  /** Removes a parameter: reads answer ParameterNotFound. */
  readonly deleteParameter: (name: string) => void = this.remove;

  /** `/a/b` and `a` alike become `parameter/a/b` and `parameter/a`. */
  protected arnOf(name: string): string {
    return `arn:aws:ssm:${aws.LOCAL_AWS_REGION}:${LOCAL_ACCOUNT_ID}:parameter/${name.replace(/^\//, '')}`;
  }

  protected read(name: string, versions: aws.StoredVersion[]): aws.AwsReply {
    const [latest] = versions;
    if (!latest) return aws.awsError('ParameterNotFound', `Parameter ${name} not found.`);
    const { value: Value, createdAt: LastModifiedDate } = latest;
    const [ARN, Version] = [this.arnOf(name), versions.length];
    const Parameter = { Name: name, Type: 'String', Value, Version, LastModifiedDate, ARN };
    return { status: 200, json: { Parameter: { ...Parameter, DataType: 'text' } } };
  }
}

export type { LocalSsm };
