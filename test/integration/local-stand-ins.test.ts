// The stand-ins `npm start` runs, wired together: the secret in the local Secrets Manager must
// open the sandbox, the Parameter Store must hold the protected items, and `env` must point at all.

import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../local/callfire-sandbox';
import {
  LOCAL_JOBS_BUCKET,
  LOCAL_PROTECTED_ITEMS_PARAMETER,
  LOCAL_SECRET_ID,
  type StandIns,
  startStandIns,
} from '../../local/stand-ins';
import { DUMMY_CREDENTIALS, failureOf } from '../helpers/aws-sdk';
import { basicAuth, createNumberServiceClient } from '../helpers/local-soap-client';

describe('startStandIns', () => {
  let standIns: StandIns;
  beforeAll(async () => {
    standIns = await startStandIns();
  });
  afterAll(async () => {
    await standIns.close();
  });

  it('stores the sandbox credentials as the secret the env names, and they open the sandbox', async () => {
    const { env } = standIns;
    const sdk = new SecretsManagerClient({
      endpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      credentials: DUMMY_CREDENTIALS,
    });
    const secret = await sdk.send(new GetSecretValueCommand({ SecretId: env.CALLFIRE_SECRET_ID }));
    const login = JSON.parse(secret.SecretString ?? '{}') as { username: string; password: string };
    const client = await createNumberServiceClient(env.CALLFIRE_SOAP_ENDPOINT);
    await client.ReleaseAsync({ Number: '14255551213' }, {}, basicAuth(login));

    expect(env.CALLFIRE_SECRET_ID).toBe(LOCAL_SECRET_ID);
    expect(login).toEqual(SANDBOX_CREDENTIALS);
    expect(standIns.sandbox.calls).toEqual([
      expect.objectContaining({ number: '14255551213', authorized: true, status: 200 }),
    ]);
  });

  it('holds the protected items in the Parameter Store AWS_ENDPOINT_URL_SSM names', async () => {
    const sdk = new SSMClient({
      endpoint: standIns.env.AWS_ENDPOINT_URL_SSM,
      credentials: DUMMY_CREDENTIALS,
    });

    const { Parameter } = await sdk.send(
      new GetParameterCommand({ Name: LOCAL_PROTECTED_ITEMS_PARAMETER }),
    );

    expect(Parameter?.Value?.split('\n')).toEqual([
      '# Never released by this function: one number, keyword or shortCode/KEYWORD per line',
      '14255551213',
      '',
    ]);
    // The function reads the list from there.
    expect(standIns.env.PROTECTED_ITEMS_PARAMETER).toBe(LOCAL_PROTECTED_ITEMS_PARAMETER);
  });

  it('holds the jobs bucket in the S3 AWS_ENDPOINT_URL_S3 names, which honours If-None-Match: * as S3 does', async () => {
    const { env } = standIns;
    const s3 = standIns.s3.client();
    const put = (Body: string) =>
      s3.send(
        new PutObjectCommand({
          Bucket: LOCAL_JOBS_BUCKET,
          Key: 'jobs/a/items.json',
          Body,
          IfNoneMatch: '*',
        }),
      );

    await put('[1]');
    const again = await failureOf(put('[2]'));
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: LOCAL_JOBS_BUCKET, Key: 'jobs/a/items.json' }),
    );

    expect(env.JOBS_BUCKET).toBe(LOCAL_JOBS_BUCKET);
    expect(standIns.s3.endpoint).toBe(env.AWS_ENDPOINT_URL_S3);
    expect(env).toMatchObject({ AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
    expect(again.$metadata.httpStatusCode).toBe(412);
    expect(again.name).toBe('PreconditionFailed');
    expect(await stored.Body?.transformToString()).toBe('[1]');
  });
});
