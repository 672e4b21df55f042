// The local Parameter Store, driven by the real AWS SDK v3 SSM client over loopback. The checks and
// failure kinds it shares with the Secrets Manager stand-in are proven in that suite; here what is
// SSM's own: the GetParameter answer, its errors, versions, and reaching it through the environment.

import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalSsm, startLocalSsm } from '../../local/ssm';
import { DUMMY_CREDENTIALS, failureOf, restoreAfterEach } from '../helpers/aws-sdk';

const NAME = '/callfire-release/test/protected-items';

let ssm: LocalSsm;

beforeAll(async () => {
  ssm = await startLocalSsm({ parameters: { [NAME]: '14255551213\n' } });
});
afterAll(async () => {
  await ssm.close();
});
beforeEach(() => {
  ssm.reset();
});

function getParameter(name: string | undefined, endpoint: string | undefined = ssm.endpoint) {
  const client = new SSMClient({
    ...(endpoint === undefined ? {} : { endpoint }),
    credentials: DUMMY_CREDENTIALS,
    maxAttempts: 1,
  });
  return client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
}

describe('GetParameter', () => {
  it('returns the parameter as the real service shapes it, and logs the request', async () => {
    const started = Date.now();
    const { Parameter } = await getParameter(NAME);

    expect(Parameter).toEqual({
      Name: NAME,
      Type: 'String',
      Value: '14255551213\n',
      Version: 1,
      LastModifiedDate: expect.any(Date),
      ARN: `arn:aws:ssm:us-east-1:000000000000:parameter${NAME}`,
      DataType: 'text',
    });
    expect(Parameter?.LastModifiedDate?.getTime()).toBeGreaterThanOrEqual(started - 1_000);
    expect(ssm.requests).toEqual([
      { target: 'AmazonSSM.GetParameter', name: NAME, at: expect.any(Number) },
    ]);
  });

  it('counts versions across writes, and starts over after a delete', async () => {
    ssm.putParameter(NAME, 'second');
    ssm.putParameter(NAME, 'third');
    const third = await getParameter(NAME);
    ssm.deleteParameter(NAME);
    ssm.putParameter(NAME, 'again');
    const again = await getParameter(NAME);

    expect(third.Parameter).toMatchObject({ Value: 'third', Version: 3 });
    expect(again.Parameter).toMatchObject({ Value: 'again', Version: 1 });
  });

  describe('AWS_ENDPOINT_URL_SSM', () => {
    restoreAfterEach('AWS_ENDPOINT_URL_SSM');

    it('is how a client without an endpoint option reaches the stand-in', async () => {
      process.env.AWS_ENDPOINT_URL_SSM = ssm.endpoint;

      const { Parameter } = await getParameter(NAME, undefined);

      expect(Parameter?.Value).toBe('14255551213\n');
    });
  });
});

describe('errors', () => {
  it.each([
    ['ParameterNotFound for an unknown name', () => {}, '/nope', 'ParameterNotFound', 400],
    [
      'ParameterNotFound once deleted',
      () => ssm.deleteParameter(NAME),
      NAME,
      'ParameterNotFound',
      400,
    ],
    [
      'AccessDeniedException when denied',
      () => ssm.denyAccess(NAME),
      NAME,
      'AccessDeniedException',
      400,
    ],
    [
      'its own internal error',
      () => ssm.failNext('InternalServerError'),
      NAME,
      'InternalServerError',
      500,
    ],
  ])('answers %s', async (_case, arrange, parameter, name, status) => {
    arrange();

    const failed = await failureOf(getParameter(parameter));

    expect(failed).toMatchObject({ name, $metadata: { httpStatusCode: status, attempts: 1 } });
  });
});

describe('error details', () => {
  it('names the parameter ARN when access is denied', async () => {
    ssm.denyAccess(NAME);

    const denied = await failureOf(getParameter(NAME));

    expect(denied.message).toContain(
      `ssm:GetParameter on resource: arn:aws:ssm:us-east-1:000000000000:parameter${NAME}`,
    );
  });

  it('answers ValidationException to a request without a Name', async () => {
    const response = await fetch(ssm.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.GetParameter',
        authorization:
          'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: '{}',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'ValidationException',
      message: 'name is null',
    });
  });
});
