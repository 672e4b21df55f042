import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  redact,
  retryAfterOf,
  toCallFireError,
} from '../../functions/release/callfire/call-errors';
import { DEFAULT_CALLFIRE_ENDPOINT } from '../../functions/release/callfire/contract';
import { CallFireError } from '../../functions/release/errors';

// What raw `soap` errors may carry: the request config, with the Basic Authorization header of
// the call. "release-bot:s3cr3t-Passw0rd" in base64:
const PASSWORD = 's3cr3t-Passw0rd';
const BASIC = `Basic ${Buffer.from(`release-bot:${PASSWORD}`).toString('base64')}`;
const ENCODED = BASIC.slice('Basic '.length);

function requestConfig() {
  return {
    url: DEFAULT_CALLFIRE_ENDPOINT,
    method: 'post',
    headers: {
      Authorization: BASIC,
      'Content-Type': 'application/soap+xml; charset=utf-8; action="Release"',
    },
    data: `<soap:Envelope><soap:Body><Release><Number>14255551212</Number></Release></soap:Body></soap:Envelope>`,
    auth: { username: 'release-bot', password: PASSWORD },
  };
}

function httpResponse(status: number, data = '') {
  return { status, statusText: '', headers: {}, data, config: requestConfig() };
}

/** 400/500 with a SOAP 1.2 Fault: an Error with the parsed envelope in `root`, prefixes stripped. */
function soapFault(serviceFaultInfo: Record<string, unknown>, status = 500, reason = 'fault') {
  const body = '<soap:Envelope><soap:Body><soap:Fault>…</soap:Fault></soap:Body></soap:Envelope>';
  return Object.assign(new Error(`soap:Receiver: ${reason}`), {
    root: {
      Envelope: {
        Body: {
          Fault: {
            Code: { Value: 'soap:Receiver' },
            Reason: { Text: reason },
            Detail: { ServiceFaultInfo: serviceFaultInfo },
          },
        },
      },
    },
    response: httpResponse(status, body),
    body,
    config: requestConfig(),
  });
}

/** An Error with only `response` (401 with an HTML or empty body, 500 with an empty body). */
function httpError(message: string, status: number, data = '') {
  return Object.assign(new Error(message), {
    response: httpResponse(status, data),
    config: requestConfig(),
  });
}

/** 503 with a non-XML body: a plain object, not an Error. */
function invalidXml(status: number) {
  const body = '<html><body>Service Unavailable</body></html>';
  return {
    Fault: {
      faultcode: 500,
      faultstring: 'Invalid XML',
      detail: `Error: ${body}`,
      statusCode: status,
    },
    response: httpResponse(status, body),
    body,
  };
}

/**
 * The transport's own rejection of an answer without a SOAP envelope: only the status is kept
 * (the request config attached here checks that nothing else of a raw error leaks).
 */
function notSoap(status: number, headers: Record<string, string> = {}, what?: string) {
  return Object.assign(new Error(`HTTP ${status} without a SOAP envelope`), {
    code: 'ERR_NOT_SOAP',
    response: { status, headers },
    config: requestConfig(),
    ...(what ? { what } : {}),
  });
}

/**
 * A connection failure or abort as the transport rejects with (Node's socket errors, its own
 * AbortError), carrying the request it was sending, Authorization header included.
 */
function networkError(code: string, message: string, name = 'Error') {
  const error = Object.assign(new Error(message), {
    code,
    request: { _header: `POST /api/1.1/soap12/number HTTP/1.1\r\nAuthorization: ${BASIC}\r\n` },
  });
  error.name = name;
  return error;
}

/** Everything about a mapped error that could end up in a log line or an answer. */
function everyRendering(error: CallFireError): string[] {
  return [
    error.message,
    String(error),
    error.stack ?? '',
    JSON.stringify(error),
    JSON.stringify({ ...error }),
    inspect(error, { depth: 10, showHidden: true }),
  ];
}

describe('toCallFireError', () => {
  describe('SOAP 1.2 faults (ServiceFaultInfo)', () => {
    it.each([
      ['BAD_REQUEST', 400, false],
      ['FORBIDDEN', 500, false],
      ['NOT_FOUND', 500, false],
      ['UNAVAILABLE', 500, true],
      ['TIMEOUT', 500, true],
      ['NOT_IMPLEMENTED', 500, false],
    ] as const)('FaultCode %s (HTTP %i): retryable %s', (faultCode, status, retryable) => {
      // Prepare
      const raw = soapFault({ FaultCode: faultCode, Message: `${faultCode} happened` }, status);

      // Act
      const error = toCallFireError(raw, { timeoutMs: 10_000 });

      // Assess
      expect(error).toBeInstanceOf(CallFireError);
      expect(error.name).toBe('CallFireError');
      expect(error.code).toBe(faultCode);
      expect(error.retryable).toBe(retryable);
      expect(error.message).toBe(`CallFire fault ${faultCode}: ${faultCode} happened`);
    });

    it('reads FaultCode and Message given as { $value } (element text with attributes)', () => {
      // Prepare
      const raw = soapFault({
        FaultCode: { attributes: { 'xsi:type': 'xs:string' }, $value: 'NOT_FOUND' },
        Message: { attributes: { 'xml:lang': 'en' }, $value: 'Number 14255550000 not found' },
      });

      // Act
      const error = toCallFireError(raw, { timeoutMs: 10_000 });

      // Assess
      expect(error.code).toBe('NOT_FOUND');
      expect(error.retryable).toBe(false);
      expect(error.message).toBe('CallFire fault NOT_FOUND: Number 14255550000 not found');
    });

    it('falls back to the Reason text when ServiceFaultInfo has no Message', () => {
      // Prepare
      const raw = soapFault({ FaultCode: 'UNAVAILABLE' }, 500, 'try again later');

      // Act
      const error = toCallFireError(raw, { timeoutMs: 10_000 });

      // Assess
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toBe('CallFire fault UNAVAILABLE: try again later');
    });

    it('treats an unknown FaultCode as an HTTP error of the fault status', () => {
      // Prepare
      const raw = soapFault({ FaultCode: 'SOMETHING_NEW', Message: 'x' }, 500);

      // Act
      const error = toCallFireError(raw, { timeoutMs: 10_000 });

      // Assess
      expect(error.code).toBe('UPSTREAM_HTTP');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe(
        'CallFire answered HTTP 500 with a SOAP fault without ServiceFaultInfo',
      );
    });

    it('redacts Basic credentials quoted in a fault message', () => {
      // Prepare
      const raw = soapFault({
        FaultCode: 'FORBIDDEN',
        Message: 'Authorization Basic dXNlcjpwYXNz is not allowed to release',
      });

      // Act
      const error = toCallFireError(raw, { timeoutMs: 10_000 });

      // Assess
      expect(error.message).toBe(
        'CallFire fault FORBIDDEN: Authorization Basic [redacted] is not allowed to release',
      );
      for (const rendering of everyRendering(error))
        expect(rendering).not.toContain('dXNlcjpwYXNz');
    });

    it('keeps a fault message short and printable', () => {
      // Prepare
      const raw = soapFault({
        FaultCode: 'BAD_REQUEST',
        Message: `bad\u0001input\n${'x'.repeat(400)}`,
      });

      // Act
      const error = toCallFireError(raw, { timeoutMs: 10_000 });

      // Assess
      expect(error.message).toBe(`CallFire fault BAD_REQUEST: bad input ${'x'.repeat(290)}…`);
    });
  });

  describe('HTTP errors without a CallFire fault', () => {
    it.each([
      ['401 with an HTML body', () => httpError('Cannot parse response', 401, '<html>401</html>')],
      ['401 with an empty body', () => httpError('Error http status codes', 401)],
      ['401 without a SOAP envelope', () => notSoap(401)],
    ])('%s → CREDENTIALS_REJECTED, not retryable', (_case, build) => {
      // Act
      const error = toCallFireError(build(), { timeoutMs: 10_000 });

      // Assess
      expect(error.code).toBe('CREDENTIALS_REJECTED');
      expect(error.retryable).toBe(false);
      expect(error.message).toBe('CallFire rejected the API credentials (HTTP 401)');
    });

    it.each([
      ['500 with an empty body', () => httpError('Error http status codes', 500), 500, true],
      ['503 with a non-XML body (plain object)', () => invalidXml(503), 503, true],
      ['502 with a non-XML body (plain object)', () => invalidXml(502), 502, true],
      ['429 Too Many Requests', () => httpError('Error http status codes', 429), 429, true],
      ['404 Not Found', () => httpError('Error http status codes', 404), 404, false],
      ['403 Forbidden', () => httpError('Cannot parse response', 403, '<html/>'), 403, false],
      ['200 without a SOAP envelope (a proxy answered)', () => notSoap(200), 200, false],
      ['202 without a SOAP envelope', () => notSoap(202), 202, false],
      ['302 (a redirect, never followed)', () => notSoap(302), 302, true],
      ['307 (a redirect, never followed)', () => notSoap(307), 307, true],
      ['503 without a SOAP envelope', () => notSoap(503), 503, true],
      ['404 without a SOAP envelope', () => notSoap(404), 404, false],
    ])('%s → UPSTREAM_HTTP', (_case, build, status, retryable) => {
      // Act
      const error = toCallFireError(build(), { timeoutMs: 10_000 });

      // Assess
      expect(error.code).toBe('UPSTREAM_HTTP');
      expect(error.retryable).toBe(retryable);
      expect(error.message).toBe(`CallFire answered HTTP ${status} with a non-SOAP answer`);
    });
  });

  describe('connection failures and aborts', () => {
    it.each([
      ['ECONNRESET', 'read ECONNRESET'],
      ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'],
      ['ENOTFOUND', 'getaddrinfo ENOTFOUND www.callfire.com'],
    ])('%s → NETWORK, retryable', (code, message) => {
      // Act
      const error = toCallFireError(networkError(code, message), { timeoutMs: 10_000 });

      // Assess
      expect(error.code).toBe('NETWORK');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe(`Could not reach CallFire (${code})`);
    });

    it.each([
      ['ABORT_ERR', 'aborted', 'AbortError'],
      ['ETIMEDOUT', 'connect ETIMEDOUT 127.0.0.1:443', 'Error'],
    ])('%s → TIMEOUT naming the attempt timeout, retryable', (code, message, name) => {
      // Act
      const error = toCallFireError(networkError(code, message, name), { timeoutMs: 7_000 });

      // Assess
      expect(error.code).toBe('TIMEOUT');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe('CallFire did not answer within 7000 ms');
    });

    it('an AbortError without code → TIMEOUT', () => {
      // Prepare
      const raw = new DOMException('This operation was aborted', 'AbortError');

      // Act
      const error = toCallFireError(raw, { timeoutMs: 2_500 });

      // Assess
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toBe('CallFire did not answer within 2500 ms');
    });
  });

  describe('anything else', () => {
    it('passes a CallFireError through unchanged', () => {
      // Prepare
      const original = new CallFireError('DEADLINE', 'out of time', true);

      // Act
      const error = toCallFireError(original, { timeoutMs: 10_000 });

      // Assess
      expect(error).toBe(original);
    });

    it.each([
      [
        'a string',
        `leaked ${BASIC}`,
        'NETWORK',
        'Unexpected failure calling CallFire (unknown error)',
      ],
      ['undefined', undefined, 'NETWORK', 'Unexpected failure calling CallFire (unknown error)'],
      [
        'a TypeError',
        new TypeError(`Cannot read properties of undefined (${BASIC})`),
        'NETWORK',
        'Unexpected failure calling CallFire (TypeError)',
      ],
    ])('%s → a retryable NETWORK error that does not echo it', (_case, raw, code, message) => {
      // Act
      const error = toCallFireError(raw, { timeoutMs: 10_000 });

      // Assess
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(true);
      expect(error.message).toBe(message);
    });
  });

  describe('never carries the credentials of the raw error', () => {
    it.each([
      ['a SOAP fault', () => soapFault({ FaultCode: 'NOT_FOUND', Message: 'not found' })],
      ['a fault without Message', () => soapFault({ FaultCode: 'UNAVAILABLE' }, 500, 'busy')],
      ['an unknown fault code', () => soapFault({ FaultCode: 'ODD', Message: BASIC })],
      ['401 HTML', () => httpError('Cannot parse response', 401, '<html>401</html>')],
      ['500 empty', () => httpError('Error http status codes', 500)],
      ['503 Invalid XML', () => invalidXml(503)],
      ['200 without a SOAP envelope', () => notSoap(200)],
      ['ECONNRESET', () => networkError('ECONNRESET', 'read ECONNRESET')],
      ['an abort', () => networkError('ABORT_ERR', 'aborted', 'AbortError')],
      ['a TypeError quoting the header', () => new TypeError(`bad header ${BASIC}`)],
    ])('%s', (_case, build) => {
      // Prepare
      const raw = build();
      expect(inspect(raw, { depth: 10 })).toContain(ENCODED);

      // Act
      const error = toCallFireError(raw, { timeoutMs: 10_000 });

      // Assess
      for (const rendering of everyRendering(error)) {
        expect(rendering).not.toContain(ENCODED);
        expect(rendering).not.toContain(PASSWORD);
        expect(rendering).not.toContain('Authorization');
      }
      expect(error.cause).toBeUndefined();
    });
  });

  describe('what the transport says was wrong', () => {
    it('names it in the message', () => {
      // Act
      const error = toCallFireError(notSoap(200, {}, 'a SOAP 1.1 envelope'), { timeoutMs: 1_000 });

      // Assess
      expect(error.message).toBe('CallFire answered HTTP 200 with a SOAP 1.1 envelope');
      expect(error.retryable).toBe(false);
    });
  });

  describe('Retry-After', () => {
    it.each([
      ['seconds', 503, '3', 3_000],
      ['an HTTP date 10 s ahead', 503, new Date(Date.now() + 10_000).toUTCString(), 10_000],
      ['seconds', 429, '3', 3_000],
    ])('is read from %s on a %s', (_case, status, header, expected) => {
      // Act
      const error = toCallFireError(notSoap(status, { 'retry-after': header }), {
        timeoutMs: 1_000,
      });

      // Assess
      expect(error.retryAfterMs).toBeGreaterThan(expected - 1_500);
      expect(error.retryAfterMs).toBeLessThanOrEqual(expected);
    });

    it.each([
      ['absent', undefined],
      ['not a number or date', 'soon'],
      ['in the past', 'Thu, 01 Jan 1970 00:00:00 GMT'],
      ['zero', '0'],
    ])('is ignored when %s', (_case, header) => {
      // Act / Assess
      expect(retryAfterOf(header)).toBeUndefined();
    });

    it('is capped at 15 minutes', () => {
      // Act / Assess
      expect(retryAfterOf('86400')).toBe(15 * 60_000);
    });

    it('is read from a SOAP fault answer too', () => {
      // Prepare
      const raw = soapFault({ FaultCode: 'UNAVAILABLE' }, 503);
      raw.response = { ...raw.response, headers: { 'retry-after': '2' } };

      // Act
      const error = toCallFireError(raw, { timeoutMs: 1_000 });

      // Assess
      expect(error).toMatchObject({ code: 'UNAVAILABLE', retryAfterMs: 2_000 });
    });
  });

  describe('credentials CallFire repeats', () => {
    const credentials = { username: 'release-bot', password: 'p@ss"w0rd:x' };
    const login = `${credentials.username}:${credentials.password}`;

    it.each([
      ['username:password', `bad login ${login} here`],
      ['the password alone', `password ${credentials.password} rejected`],
      ['the base64 Basic token', `got ${Buffer.from(login).toString('base64')}`],
      ['the JSON-escaped password', `{"password":${JSON.stringify(credentials.password)}}`],
    ])('redacts %s from a fault message', (_case, said) => {
      // Prepare
      const raw = soapFault({ FaultCode: 'BAD_REQUEST', Message: said }, 400);

      // Act
      const error = toCallFireError(raw, { timeoutMs: 1_000, credentials });

      // Assess
      expect(error.message).toContain('[redacted]');
      for (const rendering of everyRendering(error)) {
        expect(rendering).not.toContain(credentials.password);
        expect(rendering).not.toContain('p@ss\\"w0rd');
        expect(rendering).not.toContain(Buffer.from(login).toString('base64'));
      }
    });

    it('leaves text without them alone', () => {
      // Act / Assess
      expect(redact('Number 14255551212 not found', credentials)).toBe(
        'Number 14255551212 not found',
      );
    });
  });

  describe('calls sent without an answer', () => {
    it.each([
      [
        'an abort after sending',
        () =>
          Object.assign(networkError('ABORT_ERR', 'aborted', 'AbortError'), { requestSent: true }),
        'TIMEOUT',
        true,
      ],
      [
        'an abort before sending',
        () =>
          Object.assign(networkError('ABORT_ERR', 'aborted', 'AbortError'), { requestSent: false }),
        'TIMEOUT',
        false,
      ],
      [
        'a reset after sending',
        () => Object.assign(networkError('ECONNRESET', 'socket hang up'), { requestSent: true }),
        'NETWORK',
        true,
      ],
      [
        'a refused connection',
        () =>
          Object.assign(networkError('ECONNREFUSED', 'connect ECONNREFUSED'), {
            requestSent: false,
          }),
        'NETWORK',
        false,
      ],
    ])('%s → %s, uncertain %s', (_case, build, code, uncertain) => {
      // Act
      const error = toCallFireError(build(), { timeoutMs: 1_000 });

      // Assess
      expect(error).toMatchObject({ code, uncertain, retryable: true });
    });
  });
});
