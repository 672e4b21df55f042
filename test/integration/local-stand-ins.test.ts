// The stand-ins `npm start` runs, wired together: the secret in the local Secrets Manager must
// open the sandbox, and `env` must point at both.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../local/callfire-sandbox';
import { LOCAL_SECRET_ID, type StandIns, startStandIns } from '../../local/stand-ins';
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
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const secret = await sdk.send(new GetSecretValueCommand({ SecretId: env.CALLFIRE_SECRET_ID }));
    const credentials = JSON.parse(secret.SecretString ?? '{}') as {
      username: string;
      password: string;
    };
    const client = await createNumberServiceClient(env.CALLFIRE_SOAP_ENDPOINT);
    await client.ReleaseAsync({ Number: '14255551213' }, {}, basicAuth(credentials));

    expect(env.CALLFIRE_SECRET_ID).toBe(LOCAL_SECRET_ID);
    expect(credentials).toEqual(SANDBOX_CREDENTIALS);
    expect(env.CALLFIRE_SOAP_ENDPOINT).toBe(standIns.sandbox.url);
    expect(standIns.sandbox.calls).toEqual([
      expect.objectContaining({ number: '14255551213', authorized: true, status: 200 }),
    ]);
  });
});
