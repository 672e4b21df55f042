import { describe, expect, it } from 'vitest';
import { albTrigger } from '../../functions/release/triggers/alb';
import {
  describeEnvelope,
  isEventBridgeEnvelope,
} from '../../functions/release/triggers/eventbridge';
import { jsonResponse } from '../../functions/release/triggers/http-answer';
import {
  isPayloadV1,
  isPayloadV2,
  toHttpRequest,
} from '../../functions/release/triggers/http-event';
import { recordsTrigger } from '../../functions/release/triggers/records';
import { sqsTrigger } from '../../functions/release/triggers/sqs';
import {
  albEvent,
  busEvent,
  CALLER_ARN,
  functionUrlEvent,
  httpApiEvent,
  restApiEvent,
  SAMPLE_BODY,
  scheduledEvent,
  sqsEvent,
} from '../fixtures/events';

const isSqsEvent = sqsTrigger.recognise;
const isRecordsBatch = recordsTrigger.recognise;
const isAlbEvent = albTrigger.recognise;

const GUARDS = { isPayloadV2, isPayloadV1, isEventBridgeEnvelope, isSqsEvent, isAlbEvent };
type GuardName = keyof typeof GUARDS;

describe('trigger guards', () => {
  it.each<[string, () => unknown, GuardName | undefined]>([
    ['HTTP API (payload 2.0)', () => httpApiEvent(), 'isPayloadV2'],
    [
      'HTTP API $default route on a named stage',
      () => httpApiEvent({ routeKey: '$default', stage: 'prod' }),
      'isPayloadV2',
    ],
    ['function URL', () => functionUrlEvent(), 'isPayloadV2'],
    ['REST API (payload 1.0)', () => restApiEvent(), 'isPayloadV1'],
    ['REST API proxy resource', () => restApiEvent({ resource: '/{proxy+}' }), 'isPayloadV1'],
    [
      'EventBridge bus event',
      () => busEvent({ numbers: ['14255551212'] }),
      'isEventBridgeEnvelope',
    ],
    ['EventBridge scheduled event', () => scheduledEvent(), 'isEventBridgeEnvelope'],
    ['SQS batch', () => sqsEvent(), 'isSqsEvent'],
    ['Application Load Balancer', () => albEvent(), 'isAlbEvent'],
    ['a direct release request', () => ({ numbers: ['14255551212'], dryRun: true }), undefined],
    [
      'a REST event with rawPath added by a test tool',
      () => ({ ...restApiEvent(), rawPath: '/releases' }),
      'isPayloadV1',
    ],
  ])('recognises %s by exactly its own guard', (_case, build, expected) => {
    // Prepare
    const event = build();

    // Act
    const matches = (Object.keys(GUARDS) as GuardName[]).filter((name) => GUARDS[name](event));

    // Assess
    expect(matches).toEqual(expected ? [expected] : []);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'POST /releases'],
    ['a number', 42],
    ['an array', [{ httpMethod: 'POST' }]],
    ['a payload 2.0 without requestContext.http', { version: '2.0', routeKey: '$default' }],
    ['httpMethod without requestContext', { httpMethod: 'POST', path: '/releases' }],
    ['an envelope without detail', { source: 'x', 'detail-type': 'y' }],
  ])('matches no guard for %s', (_case, event) => {
    // Act
    const matches = (Object.keys(GUARDS) as GuardName[]).filter((name) => GUARDS[name](event));

    // Assess
    expect(matches).toEqual([]);
  });

  it('tells SQS from other Records batches', () => {
    // Prepare
    const sqs = sqsEvent();
    const sns = { Records: [{ EventSource: 'aws:sns', Sns: { Message: SAMPLE_BODY } }] };

    // Act
    const verdicts = [isSqsEvent(sqs), isRecordsBatch(sqs), isSqsEvent(sns), isRecordsBatch(sns)];

    // Assess
    expect(verdicts).toEqual([true, true, false, true]);
  });
});

describe('toHttpRequest', () => {
  it('reads an HTTP API explicit route with the IAM caller', () => {
    // Prepare
    const event = httpApiEvent({ body: '{"numbers":["14255551212"]}' });

    // Act
    const request = toHttpRequest(event);

    // Assess
    expect(request).toEqual({
      kind: 'http-api',
      method: 'POST',
      path: '/releases',
      body: '{"numbers":["14255551212"]}',
      caller: {
        userArn: CALLER_ARN,
        callerId: 'AROAEXAMPLEID:alice',
        accountId: '123456789012',
        sourceIp: '198.51.100.7',
      },
    });
  });

  it('takes the path of an explicit route from its route key, whatever the stage', () => {
    // Prepare
    const event = httpApiEvent({ stage: 'prod' });

    // Act
    const request = toHttpRequest(event);

    // Assess
    expect(event.rawPath).toBe('/prod/releases');
    expect(request.path).toBe('/releases');
  });

  it.each([
    ['$default stage', '$default', '/releases', '/releases'],
    ['a named stage', 'prod', '/releases', '/releases'],
    ['a named stage, another path', 'prod', '/other', '/other'],
    ['a named stage, trailing slash', 'prod', '/releases/', '/releases'],
    ['$default stage, trailing slash', '$default', '/releases/', '/releases'],
    ['a named stage, root', 'prod', '/', '/'],
  ])('strips the stage from a $default route on %s', (_case, stage, path, expected) => {
    // Prepare
    const event = httpApiEvent({ routeKey: '$default', stage, path });

    // Act
    const request = toHttpRequest(event);

    // Assess
    expect(request.path).toBe(expected);
  });

  it('does not strip a path segment that only looks like the stage', () => {
    // Prepare
    const event = httpApiEvent({ routeKey: '$default', stage: '$default', path: '/prod/releases' });
    event.requestContext.stage = 'prod-eu';

    // Act
    const request = toHttpRequest(event);

    // Assess
    expect(request.path).toBe('/prod/releases');
  });

  // A greedy route (`ANY /{proxy+}`) is common on HTTP APIs, as on REST APIs: the path API Gateway
  // routed is then `rawPath`, not the route key. toHttpRequest handles this for REST (below).
  it.each([
    ['on the $default stage', 'ANY /{proxy+}', '$default', '/releases', '/releases'],
    ['on a named stage', 'ANY /{proxy+}', 'prod', '/releases', '/releases'],
    ['with a method', 'POST /{proxy+}', '$default', '/releases/', '/releases'],
    ['on another path', 'ANY /{proxy+}', 'prod', '/health', '/health'],
  ])(
    'takes the path from rawPath for a greedy HTTP API route %s',
    (_case, routeKey, stage, path, expected) => {
      // Prepare
      const event = httpApiEvent({ routeKey, stage, path });

      // Act
      const request = toHttpRequest(event);

      // Assess
      expect(request.path).toBe(expected);
    },
  );

  it('recognises a function URL by its domain', () => {
    // Prepare
    const event = functionUrlEvent({ method: 'post' });

    // Act
    const request = toHttpRequest(event);

    // Assess
    expect(request.kind).toBe('function-url');
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/releases');
    expect(request.caller.userArn).toBe(CALLER_ARN);
  });

  it('reads a REST API resource with the IAM identity', () => {
    // Prepare
    const event = restApiEvent({ body: '{"numbers":["14255551212"]}' });

    // Act
    const request = toHttpRequest(event);

    // Assess
    expect(request).toEqual({
      kind: 'rest-api',
      method: 'POST',
      path: '/releases',
      body: '{"numbers":["14255551212"]}',
      caller: {
        userArn: CALLER_ARN,
        callerId: 'AROAEXAMPLEID:alice',
        accountId: '123456789012',
        sourceIp: '198.51.100.7',
      },
    });
  });

  it.each([
    ['an explicit resource', '/releases', '/releases', '/releases'],
    ['a greedy proxy resource', '/{proxy+}', '/releases', '/releases'],
    ['a greedy proxy on another path', '/{proxy+}', '/status', '/status'],
    ['a proxy with a trailing slash', '/{proxy+}', '/releases/', '/releases'],
    ['an explicit resource reached with a trailing slash', '/releases', '/releases/', '/releases'],
  ])('takes the REST path from %s', (_case, resource, path, expected) => {
    // Prepare
    const event = restApiEvent({ resource, path });

    // Act
    const request = toHttpRequest(event);

    // Assess
    expect(request.path).toBe(expected);
  });

  it.each([
    ['HTTP API', () => httpApiEvent({ body: SAMPLE_BODY, base64: true })],
    ['function URL', () => functionUrlEvent({ body: SAMPLE_BODY, base64: true })],
    ['REST API', () => restApiEvent({ body: SAMPLE_BODY, base64: true })],
  ])('decodes a base64 body (%s)', (_case, build) => {
    // Prepare
    const event = build();

    // Act
    const request = toHttpRequest(event);

    // Assess
    expect(event.body).not.toBe(SAMPLE_BODY);
    expect(request.body).toBe(SAMPLE_BODY);
  });

  it.each([
    [
      'HTTP API without a body key',
      () => {
        const event = httpApiEvent();
        delete event.body;
        return event;
      },
    ],
    ['HTTP API with an empty body', () => httpApiEvent({ body: '' })],
    ['REST API with a null body', () => ({ ...restApiEvent(), body: null })],
  ])('gives null for no body (%s)', (_case, build) => {
    // Act
    const request = toHttpRequest(build());

    // Assess
    expect(request.body).toBeNull();
  });

  it('omits caller fields API Gateway did not give (no IAM auth)', () => {
    // Prepare
    const event = httpApiEvent();
    delete (event.requestContext as { authorizer?: unknown }).authorizer;
    const rest = restApiEvent();
    rest.requestContext.identity.userArn = null;
    rest.requestContext.identity.caller = null;
    rest.requestContext.identity.accountId = null;

    // Act
    const requests = [toHttpRequest(event), toHttpRequest(rest)];

    // Assess
    expect(requests.map((request) => request.caller)).toEqual([
      { sourceIp: '198.51.100.7' },
      { sourceIp: '198.51.100.7' },
    ]);
  });
});

describe('jsonResponse', () => {
  it('carries the request id in a header and in the body, as JSON', () => {
    // Act
    const response = jsonResponse(405, 'req-1', { error: { code: 'X' } }, { allow: 'POST' });

    // Assess
    expect(response).toEqual({
      statusCode: 405,
      headers: {
        'content-type': 'application/json',
        'x-lambda-request-id': 'req-1',
        allow: 'POST',
      },
      body: '{"requestId":"req-1","error":{"code":"X"}}',
      isBase64Encoded: false,
    });
  });
});

describe('describeEnvelope', () => {
  it.each([
    [
      'a scheduled event, pointing at the constant Input',
      () => scheduledEvent(),
      "scheduled event from arn:aws:events:us-east-1:123456789012:rule/monthly-release (a scheduled rule must give the request as the target's constant Input)",
    ],
    [
      'a bus event, by source and detail-type',
      () => busEvent({}),
      'event callfire.release / Release Requested',
    ],
  ])('names %s', (_case, build, expected) => {
    // Act
    const description = describeEnvelope(build());

    // Assess
    expect(description).toBe(expected);
  });
});
