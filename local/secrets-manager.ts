/**
 * A local AWS Secrets Manager serving `GetSecretValue`, with the checks and failures it shares
 * with the SSM stand-in (aws-json-service.ts). The SDK finds it through
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER=<endpoint>`.
 */

import * as aws from './aws-json-service';
import { LOCAL_ACCOUNT_ID } from './lambda-context';

/** What `failNext` takes, e.g. `'ThrottlingException'`, `'hang'` or `{ delayMs: 3000 }`. */
export type InjectedSecretsManagerFailure = aws.AwsFailure<'InternalServiceError'>;

/** The ARN of secret `name`; the random suffix AWS appends is fixed to `AbCdEf`. */
export function localSecretArn(name: string): string {
  return `arn:aws:secretsmanager:${aws.LOCAL_AWS_REGION}:${LOCAL_ACCOUNT_ID}:secret:${name}-AbCdEf`;
}

/** Starts a local Secrets Manager on 127.0.0.1 holding `secrets` (name to SecretString). */
export function startLocalSecretsManager(
  options: { port?: number | undefined; secrets?: Record<string, string> } = {},
): Promise<LocalSecretsManager> {
  return new LocalSecretsManager(options.secrets ?? {}).listen(options.port);
}

const NOT_FOUND = "Secrets Manager can't find the specified secret.";

/** A running local Secrets Manager; `reset()` brings back the start-up secrets. */
class LocalSecretsManager extends aws.AwsJsonService<'InternalServiceError', 'secretId'> {
  constructor(initial: Record<string, string>) {
    super(initial, {
      target: 'secretsmanager.GetSecretValue',
      action: 'secretsmanager:GetSecretValue',
      idMember: 'SecretId',
      logAs: 'secretId',
      internalError: 'InternalServiceError',
    });
  }

  /** Creates or rotates a secret: a new version, with a new VersionId, becomes AWSCURRENT. */
  readonly setSecret: (name: string, secretString: string) => void = this.put;
  /** Removes a secret (by name or ARN): reads answer ResourceNotFoundException. */
  readonly deleteSecret: (id: string) => void = this.remove;

  /** A name from a name, a full ARN or a partial one (without the random suffix). */
  protected override nameOf(id: string): string {
    return /^arn:aws:secretsmanager:[^:]*:[^:]*:secret:(.+?)(-AbCdEf)?$/.exec(id)?.[1] ?? id;
  }

  protected arnOf(name: string): string {
    return localSecretArn(name);
  }

  /** The AWSCURRENT version; the function never asks for another, so any other is not found. */
  protected read(name: string, [current]: aws.StoredVersion[], body: object): aws.AwsReply {
    const asked: Partial<Record<string, string>> = body;
    const stage = asked.VersionStage ?? 'AWSCURRENT';
    const other =
      stage !== 'AWSCURRENT' || (asked.VersionId ?? current?.versionId) !== current?.versionId;
    if (!current || other) return aws.awsError('ResourceNotFoundException', NOT_FOUND);
    const { versionId: VersionId, value: SecretString, createdAt: CreatedDate } = current;
    const json = { ARN: this.arnOf(name), Name: name, VersionId, SecretString, CreatedDate };
    return { status: 200, json: { ...json, VersionStages: ['AWSCURRENT'] } };
  }
}

export type { LocalSecretsManager };
