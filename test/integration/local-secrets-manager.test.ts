// The local Secrets Manager, driven by the real AWS SDK v3 client over loopback: signing, the JSON
// 1.1 protocol, error shapes, retries and timeouts meet the stand-in for real. The checks and the
// failure kinds it shares with the SSM stand-in (local/aws-json-service.ts) are proven here once.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type LocalSecretsManager,
  localSecretArn,
  startLocalSecretsManager,
} from '../../local/secrets-manager';
import { DUMMY_CREDENTIALS, failureOf, restoreAfterEach } from '../helpers/aws-sdk';

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

/** The real SDK client; the short request timeout makes a hang fail fast. */
function getSecret(secretId: string, options: { maxAttempts?: number; endpoint?: string } = {}) {
  return client(options).send(new GetSecretValueCommand({ SecretId: secretId }));
}

function client(options: { maxAttempts?: number; endpoint?: string } = {}) {
  return new SecretsManagerClient({
    endpoint: secretsManager.endpoint,
    region: 'us-east-1',
    credentials: DUMMY_CREDENTIALS,
    requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    ...options,
  });
}

describe('GetSecretValue', () => {
  it('returns the secret with the fields the real service sends, and logs the request', async () => {
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
    expect(output.CreatedDate?.getTime()).toBeGreaterThanOrEqual(started - 1_000);
    expect(secretsManager.requests).toEqual([
      {
        target: 'secretsmanager.GetSecretValue',
        secretId: 'callfire/test',
        at: expect.any(Number),
      },
    ]);
  });

  it('finds a secret by full or partial ARN, and rotates it with a new VersionId', async () => {
    const byArn = await getSecret(localSecretArn('callfire/test'));
    secretsManager.setSecret('callfire/test', 'rotated');
    const byPartialArn = await getSecret(
      'arn:aws:secretsmanager:us-east-1:000000000000:secret:callfire/test',
    );

    expect(byArn.SecretString).toBe(SECRET);
    expect(byPartialArn.SecretString).toBe('rotated');
    expect(byPartialArn.VersionId).not.toBe(byArn.VersionId);
    // Only AWSCURRENT is kept: another version is not found rather than answered with this one.
    const previous = new GetSecretValueCommand({
      SecretId: 'callfire/test',
      VersionStage: 'AWSPREVIOUS',
    });
    expect((await failureOf(client().send(previous))).name).toBe('ResourceNotFoundException');
  });

  describe('AWS_ENDPOINT_URL_SECRETS_MANAGER', () => {
    restoreAfterEach('AWS_ENDPOINT_URL_SECRETS_MANAGER');

    it('is how an SDK client without an endpoint option reaches the stand-in', async () => {
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secretsManager.endpoint;
      const sdk = new SecretsManagerClient({
        credentials: DUMMY_CREDENTIALS,
      });

      const output = await sdk.send(new GetSecretValueCommand({ SecretId: 'callfire/test' }));

      expect(output.SecretString).toBe(SECRET);
    });
  });
});

describe('errors and refusals', () => {
  it('answers ResourceNotFoundException for an unknown or deleted secret, without retries', async () => {
    const unknown = await failureOf(getSecret('callfire/nope'));
    secretsManager.deleteSecret(localSecretArn('callfire/test'));
    const deleted = await failureOf(getSecret('callfire/test'));

    expect(unknown).toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(deleted.name).toBe('ResourceNotFoundException');
  });

  it('answers AccessDeniedException for a denied secret, naming its ARN', async () => {
    secretsManager.denyAccess('callfire/test');

    const denied = await failureOf(getSecret(localSecretArn('callfire/test')));

    expect(denied).toMatchObject({ name: 'AccessDeniedException', $metadata: { attempts: 1 } });
    expect(denied.message).toContain(
      `secretsmanager:GetSecretValue on resource: ${localSecretArn('callfire/test')}`,
    );
  });
});

describe('injected failures', () => {
  it.each([
    ['ThrottlingException', 'ThrottlingException', 400, 'client'],
    ['InternalServiceError', 'InternalServiceError', 500, 'server'],
    // A bare 503 carries no __type: the SDK can only call it "Unknown".
    ['ServiceUnavailable', 'Unknown', 503, 'server'],
  ] as const)('fails the next request with %s (%s, HTTP %i)', async (kind, name, status, fault) => {
    secretsManager.failNext(kind);

    const failed = await failureOf(getSecret('callfire/test', { maxAttempts: 1 }));
    const next = await getSecret('callfire/test', { maxAttempts: 1 });

    expect(failed).toMatchObject({ name, $fault: fault, $metadata: { httpStatusCode: status } });
    expect(next.SecretString).toBe(SECRET);
  });

  it('fails `times` requests in a row, which the SDK retries until it gives up', async () => {
    secretsManager.failNext('ThrottlingException', 2);
    const recovered = await getSecret('callfire/test');
    secretsManager.failNext('InternalServiceError', 5);
    const exhausted = await failureOf(getSecret('callfire/test'));

    expect(recovered.$metadata.attempts).toBe(3);
    expect(exhausted.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 3 });
    expect(() => secretsManager.failNext('hang', 0)).toThrow(/times/);
  });

  it.each([
    ['html', 502],
    [{ html: 200 }, 200],
  ] as const)('answers an HTML page for %j, which the SDK cannot parse', async (kind, status) => {
    secretsManager.failNext(kind);

    const failed = await failureOf(getSecret('callfire/test', { maxAttempts: 1 }));

    expect(failed.message).toMatch(/Deserialization error/);
    expect(failed.$metadata.httpStatusCode).toBe(status);
  });
});

describe('injected delays and hangs', () => {
  it('delays an answer, which then arrives whole', async () => {
    secretsManager.failNext({ delayMs: 150 });
    const started = Date.now();

    const output = await getSecret('callfire/test');

    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(output.SecretString).toBe(SECRET);
  });

  it('hangs until the client gives up, and closes promptly with the request still open', async () => {
    const own = await startLocalSecretsManager({ secrets: { s: 'v' } });
    own.failNext('hang', 2);

    const timedOut = await failureOf(getSecret('s', { endpoint: own.endpoint, maxAttempts: 1 }));
    const pending = failureOf(getSecret('s', { endpoint: own.endpoint, maxAttempts: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await own.close();

    expect(timedOut).toMatchObject({
      name: 'TimeoutError',
      message: expect.stringMatching(/300 ms/),
    });
    // close() destroyed the open connection rather than waiting for the client's timeout.
    expect(Date.now() - started).toBeLessThan(250);
    expect(await pending).toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('refusals and reset', () => {
  it('refuses unsigned, badly signed, foreign-operation and non-JSON-1.1 requests first', async () => {
    const signature =
      'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00';
    const headers = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'secretsmanager.GetSecretValue',
      authorization: signature,
    };
    const post = async (changed: Record<string, string>) => {
      const response = await fetch(secretsManager.endpoint, {
        method: 'POST',
        headers: { ...headers, ...changed },
        body: JSON.stringify({ SecretId: 'callfire/test' }),
      });
      return [response.status, response.headers.get('x-amzn-errortype')];
    };
    secretsManager.failNext('ServiceUnavailable');

    expect(await post({ authorization: '' })).toEqual([400, 'MissingAuthenticationTokenException']);
    expect(await post({ authorization: 'Bearer abc' })).toEqual([
      400,
      'IncompleteSignatureException',
    ]);
    expect(await post({ 'x-amz-target': 'secretsmanager.PutSecretValue' })).toEqual([
      400,
      'UnknownOperationException',
    ]);
    expect(await post({ 'content-type': 'application/json' })).toEqual([
      400,
      'SerializationException',
    ]);
    // Refused requests leave the queued failure for the next well-formed one.
    expect(await post({})).toEqual([503, null]);
    expect(await post({})).toEqual([200, null]);
    expect(secretsManager.requests.map((request) => request.target)).toContain(
      'secretsmanager.PutSecretValue',
    );
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
