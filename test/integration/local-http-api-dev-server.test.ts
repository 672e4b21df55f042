// The API Gateway (HTTP API, payload 2.0) stand-in behind `npm start`: the event and context it
// builds, and how it turns handler results, errors and timeouts into HTTP answers.

import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildHttpApiEvent,
  type HttpApiDevServer,
  startHttpApiDevServer,
} from '../../local/http-api-dev-server';
import { lambdaContext } from '../../local/lambda-context';

describe('buildHttpApiEvent', () => {
  it('shapes a request as payload format 2.0', () => {
    const event = buildHttpApiEvent({
      method: 'post',
      url: '/releases?dryRun=true&tag=a&tag=b',
      headers: {
        'Content-Type': 'application/json',
        'X-Repeated': ['one', 'two'],
        Cookie: ['session=abc; theme=dark'],
        'User-Agent': 'curl/8',
      },
      body: '{"numbers":["14255551212"]}',
      sourceIp: '10.1.2.3',
      receivedAt: Date.UTC(2026, 2, 12, 19, 3, 58),
      requestId: 'JKJaXmPLvHcESHA=',
    });

    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/releases',
      rawQueryString: 'dryRun=true&tag=a&tag=b',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { dryRun: 'true', tag: 'a,b' },
      body: '{"numbers":["14255551212"]}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: 'POST',
          path: '/releases',
          protocol: 'HTTP/1.1',
          sourceIp: '10.1.2.3',
          userAgent: 'curl/8',
        },
        requestId: 'JKJaXmPLvHcESHA=',
        routeKey: '$default',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: Date.UTC(2026, 2, 12, 19, 3, 58),
      },
    });
    expect(event.headers).toMatchObject({
      'content-type': 'application/json',
      'x-repeated': 'one,two',
      'x-forwarded-for': '10.1.2.3',
    });
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it('leaves out body and queryStringParameters when there are none, as HTTP API does', () => {
    const event = buildHttpApiEvent({ method: 'GET', url: '/health', headers: {}, body: '' });

    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('cookies');
    expect(event.rawQueryString).toBe('');
  });
});

describe('lambdaContext', () => {
  it('counts the remaining time down to the deadline', () => {
    const context = lambdaContext({ deadline: Date.now() + 5_000 });

    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(4_900);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(5_000);
    expect(context).toMatchObject({
      functionName: 'callfire-release-local',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:callfire-release-local',
      memoryLimitInMB: '512',
      logGroupName: '/aws/lambda/callfire-release-local',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(lambdaContext().awsRequestId).not.toBe(context.awsRequestId);
  });
});

describe('startHttpApiDevServer', () => {
  let server: HttpApiDevServer;
  const seen: Array<{ event: APIGatewayProxyEventV2; context: Context }> = [];
  const errors: unknown[] = [];

  beforeAll(async () => {
    server = await startHttpApiDevServer({
      timeoutMs: 200,
      onHandlerError: (error) => errors.push(error),
      routes: { '/jobs': async (event) => ({ routed: event.rawPath }) },
      handler: async (event, context) => {
        seen.push({ event, context });
        switch (event.rawPath) {
          case '/structured':
            return {
              statusCode: 207,
              headers: { 'X-Count': 2 },
              cookies: ['a=1', 'b=2'],
              body: '{"ok":true}',
            };
          case '/string':
            return 'plain';
          case '/object':
            return { released: 1 };
          case '/binary':
            return {
              statusCode: 200,
              body: Buffer.from('hi').toString('base64'),
              isBase64Encoded: true,
            };
          case '/throw':
            throw new Error('handler exploded');
          default:
            return new Promise(() => {});
        }
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('passes the event and context and writes a structured result back', async () => {
    const response = await fetch(`${server.url}/structured?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"numbers":[]}',
    });

    expect(response.status).toBe(207);
    expect(response.headers.get('x-count')).toBe('2');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ ok: true });
    const last = seen.at(-1);
    expect(last?.event).toMatchObject({
      rawPath: '/structured',
      rawQueryString: 'x=1',
      body: '{"numbers":[]}',
      requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' } },
    });
    expect(last?.context.getRemainingTimeInMillis()).toBeLessThanOrEqual(200);
  });

  it('infers 200 for a string or a plain object, and decodes base64 bodies', async () => {
    const text = await fetch(`${server.url}/string`);
    const object = await fetch(`${server.url}/object`);
    const binary = await fetch(`${server.url}/binary`);

    expect(text.status).toBe(200);
    expect(await text.text()).toBe('plain');
    expect(object.headers.get('content-type')).toBe('application/json');
    expect(await object.json()).toEqual({ released: 1 });
    expect(await binary.text()).toBe('hi');
  });

  it('answers 500 when the handler throws and 503 past the integration timeout', async () => {
    const thrown = await fetch(`${server.url}/throw`);
    const started = Date.now();
    const slow = await fetch(`${server.url}/never`);

    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toEqual({ message: 'Internal Server Error' });
    expect(errors).toEqual([expect.objectContaining({ message: 'handler exploded' })]);
    expect(slow.status).toBe(503);
    expect(await slow.json()).toEqual({ message: 'Service Unavailable' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('hands a route its path and the paths under it, every other path to the handler', async () => {
    const answers = await Promise.all(
      ['/jobs', '/jobs/a1?x=1', '/jobsx', '/structured'].map(async (path) => {
        const response = await fetch(`${server.url}${path}`);
        return (await response.json()) as unknown;
      }),
    );

    // /jobsx is not under /jobs: the handler's, which never answers it.
    expect(answers).toEqual([
      { routed: '/jobs' },
      { routed: '/jobs/a1' },
      { message: 'Service Unavailable' },
      { ok: true },
    ]);
  });
});
