// The local Secrets Manager, driven by the real AWS SDK v3 client over loopback: signing, the
// JSON 1.1 protocol, error shapes and the SDK's retries all meet the stand-in for real.

import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  SecretsManagerClient,
  type SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalSecretsManager,
  localSecretArn,
  startLocalSecretsManager,
} from '../../local/secrets-manager';

const SECRET = JSON.stringify({ username: 'api-login', password: 'api-Pa55!' });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let secretsManager: LocalSecretsManager;

beforeAll(async () => {
  secretsManager = await startLocalSecretsManager({ secrets: { 'callfire/test': SECRET } });
});
afterAll(async () => {
  await secretsManager.close();
});
beforeEach(() => {
  secretsManager.reset();
});

/** The real SDK client; without `endpoint` it finds the stand-in through the environment. */
function client(options: { maxAttempts?: number; fromEnvironment?: boolean } = {}) {
  return new SecretsManagerClient({
    ...(options.fromEnvironment === true ? {} : { endpoint: secretsManager.endpoint }),
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}

function getSecret(
  secretId: string,
  options: { maxAttempts?: number; versionStage?: string } = {},
): Promise<GetSecretValueCommandOutput> {
  const sdk = client(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts });
  return sdk.send(
    new GetSecretValueCommand({
      SecretId: secretId,
      ...(options.versionStage === undefined ? {} : { VersionStage: options.versionStage }),
    }),
  );
}

async function failureOf(call: Promise<unknown>): Promise<SecretsManagerServiceException> {
  try {
    await call;
  } catch (error) {
    return error as SecretsManagerServiceException;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('GetSecretValue', () => {
  it('returns the secret with the fields the real service sends', async () => {
    const started = Date.now();
    const output = await getSecret('callfire/test');

    expect(output).toMatchObject({
      ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:callfire/test-AbCdEf',
      Name: 'callfire/test',
      SecretString: SECRET,
      VersionStages: ['AWSCURRENT'],
      $metadata: { httpStatusCode: 200, attempts: 1 },
    });
    expect(output.VersionId).toMatch(UUID);
    expect(output.$metadata.requestId).toMatch(UUID);
    // Epoch seconds on the wire; the SDK turns them into a Date.
    expect(output.CreatedDate).toBeInstanceOf(Date);
    expect(output.CreatedDate?.getTime()).toBeGreaterThanOrEqual(started - 1_000);
    expect(output.CreatedDate?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(secretsManager.requests).toEqual([
      {
        target: 'secretsmanager.GetSecretValue',
        secretId: 'callfire/test',
        at: expect.any(Number),
      },
    ]);
  });

  it('finds a secret by full or partial ARN', async () => {
    const byArn = await getSecret(localSecretArn('callfire/test'));
    const byPartialArn = await getSecret(
      'arn:aws:secretsmanager:us-east-1:000000000000:secret:callfire/test',
    );

    expect(byArn.SecretString).toBe(SECRET);
    expect(byPartialArn.Name).toBe('callfire/test');
  });

  it('rotates: a new VersionId each time, the previous one as AWSPREVIOUS', async () => {
    const before = await getSecret('callfire/test');
    secretsManager.setSecret('callfire/test', '{"username":"api-login","password":"new"}');
    const after = await getSecret('callfire/test');
    const previous = await getSecret('callfire/test', { versionStage: 'AWSPREVIOUS' });

    expect(after.SecretString).toBe('{"username":"api-login","password":"new"}');
    expect(after.VersionId).not.toBe(before.VersionId);
    expect(previous).toMatchObject({ VersionId: before.VersionId, SecretString: SECRET });
    expect(previous.VersionStages).toEqual(['AWSPREVIOUS']);
  });
});

describe('AWS_ENDPOINT_URL_SECRETS_MANAGER', () => {
  const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
  });

  it('is how an SDK client without an endpoint option reaches the stand-in', async () => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsManager.endpoint;
    const sdk = client({ fromEnvironment: true });

    const output = await sdk.send(new GetSecretValueCommand({ SecretId: 'callfire/test' }));

    expect(output.SecretString).toBe(SECRET);
    expect(secretsManager.requests).toHaveLength(1);
  });
});

describe('errors', () => {
  it('answers ResourceNotFoundException for an unknown or deleted secret, without retries', async () => {
    const unknown = await failureOf(getSecret('callfire/nope'));
    secretsManager.deleteSecret('callfire/test');
    const deleted = await failureOf(getSecret('callfire/test'));

    expect(unknown).toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(deleted.name).toBe('ResourceNotFoundException');
  });

  it('answers AccessDeniedException for a denied secret', async () => {
    secretsManager.denyAccess(localSecretArn('callfire/test'));

    const denied = await failureOf(getSecret('callfire/test'));

    expect(denied).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(denied.message).toMatch(/is not authorized to perform: secretsmanager:GetSecretValue/);
  });

  it('answers ThrottlingException, which the SDK surfaces by name (seen with maxAttempts 1)', async () => {
    secretsManager.failNext('ThrottlingException');

    const throttled = await failureOf(getSecret('callfire/test', { maxAttempts: 1 }));

    expect(throttled).toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(secretsManager.requests).toHaveLength(1);
    // The failure is used up: the next request succeeds.
    expect((await getSecret('callfire/test', { maxAttempts: 1 })).SecretString).toBe(SECRET);
  });

  it('answers InternalServiceError (500), which the SDK retries by default', async () => {
    secretsManager.failNext('InternalServiceError');
    const recovered = await getSecret('callfire/test');

    secretsManager.failNext('InternalServiceError');
    const failed = await failureOf(getSecret('callfire/test', { maxAttempts: 1 }));

    expect(recovered.$metadata.attempts).toBe(2);
    expect(failed).toMatchObject({
      name: 'InternalServiceError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    expect(secretsManager.requests).toHaveLength(3);
  });

  it('answers a bare 503, which the SDK can only call "Unknown"', async () => {
    secretsManager.failNext('ServiceUnavailable', 2);

    const unavailable = await failureOf(getSecret('callfire/test', { maxAttempts: 1 }));
    const response = await fetch(secretsManager.endpoint, { method: 'POST' });

    expect(unavailable).toMatchObject({
      name: 'Unknown',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
    // Unsigned requests are refused before injected failures apply, so one is still queued.
    expect(response.status).toBe(400);
    const second = await failureOf(getSecret('callfire/test', { maxAttempts: 1 }));
    expect(second.$metadata).toMatchObject({ httpStatusCode: 503 });
  });

  it('refuses unsigned and badly signed requests, and unknown operations', async () => {
    const headers = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'secretsmanager.GetSecretValue',
    };
    const body = JSON.stringify({ SecretId: 'callfire/test' });
    const unsigned = await fetch(secretsManager.endpoint, { method: 'POST', headers, body });
    const badlySigned = await fetch(secretsManager.endpoint, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer abc' },
      body,
    });
    const otherOperation = await fetch(secretsManager.endpoint, {
      method: 'POST',
      headers: {
        ...headers,
        'x-amz-target': 'secretsmanager.PutSecretValue',
        authorization:
          'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00',
      },
      body,
    });

    expect(unsigned.status).toBe(400);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await unsigned.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    });
    expect(badlySigned.status).toBe(400);
    expect(((await badlySigned.json()) as { __type: string }).__type).toBe(
      'IncompleteSignatureException',
    );
    expect(otherOperation.status).toBe(400);
    expect(otherOperation.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(secretsManager.requests.map((request) => request.target)).toEqual([
      'secretsmanager.GetSecretValue',
      'secretsmanager.GetSecretValue',
      'secretsmanager.PutSecretValue',
    ]);
  });

  it('forgets rotations, deletions, denials and queued failures on reset', async () => {
    secretsManager.setSecret('callfire/test', 'rotated');
    secretsManager.setSecret('callfire/other', 'other');
    secretsManager.denyAccess('callfire/test');
    secretsManager.failNext('ThrottlingException', 3);

    secretsManager.reset();

    expect((await getSecret('callfire/test', { maxAttempts: 1 })).SecretString).toBe(SECRET);
    expect((await failureOf(getSecret('callfire/other'))).name).toBe('ResourceNotFoundException');
    expect(secretsManager.requests).toHaveLength(2);
  });
});
