// The local CallFire sandbox, driven by the real `soap` client built from the function's WSDL over
// loopback: if the sandbox and the client disagree on anything, these tests fail before the
// function's own tests can be misled by it.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CallFireSandbox,
  defaultAccount,
  SANDBOX_CREDENTIALS,
  type SandboxAccount,
  startCallFireSandbox,
} from '../../local/callfire-sandbox';
import {
  basicAuth,
  createNumberServiceClient,
  type NumberServiceClient,
  parseFault,
  rejectionOf,
} from '../helpers/local-soap-client';

const ACTION = 'http://api.callfire.com/service/wsdl/NumberServicePortType/';
const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
const SVC_NS = 'http://api.callfire.com/service/xsd';
const AUTH = basicAuth(SANDBOX_CREDENTIALS);

let sandbox: CallFireSandbox;
let client: NumberServiceClient;

beforeAll(async () => {
  sandbox = await startCallFireSandbox();
  client = await createNumberServiceClient(sandbox.url);
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
});

function autoRenewOf(number: string): boolean | undefined {
  return sandbox.account.numbers.find((entry) => entry.number === number)?.autoRenew;
}

function keywordAutoRenew(shortCode: string, keyword: string): boolean | undefined {
  return sandbox.account.keywords.find(
    (entry) => entry.shortCode === shortCode && entry.keyword === keyword,
  )?.autoRenew;
}

/** A hand-made SOAP request, for what the soap client would never send. */
async function post(
  body: string,
  {
    action = 'Release',
    contentType = `application/soap+xml; charset=utf-8; action="${ACTION}${action}"`,
    headers = AUTH,
    path = '/api/1.1/soap12/number',
    method = 'POST',
  }: {
    action?: string;
    contentType?: string;
    headers?: Record<string, string>;
    path?: string;
    method?: string;
  } = {},
): Promise<{ status: number; contentType: string | null; text: string; headers: Headers }> {
  const init: RequestInit = { method, headers: { 'content-type': contentType, ...headers } };
  if (method !== 'GET' && method !== 'HEAD') init.body = body;
  const response = await fetch(new URL(path, sandbox.url), init);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
    headers: response.headers,
  };
}

function envelope(bodyContent: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP12_NS}" xmlns:svc="${SVC_NS}"><soap:Body>${bodyContent}</soap:Body></soap:Envelope>`;
}

describe('Release', () => {
  it('turns auto-renew off for an account number and answers an empty SOAP 1.2 Body', async () => {
    const [, rawResponse] = await client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH);

    expect(rawResponse).toContain(
      `<env:Envelope xmlns:env="${SOAP12_NS}"><env:Body/></env:Envelope>`,
    );
    expect(autoRenewOf('14255551212')).toBe(false);
    expect(autoRenewOf('14255551213')).toBe(true);
    expect(sandbox.calls).toEqual([
      {
        operation: 'Release',
        number: '14255551212',
        authorized: true,
        status: 200,
        at: expect.any(Number),
      },
    ]);
  });

  it('is idempotent, including for a number whose auto-renew is already off', async () => {
    await client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH);
    await client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH);
    await client.ReleaseAsync({ Number: '14255551214' }, {}, AUTH);

    expect(autoRenewOf('14255551212')).toBe(false);
    expect(autoRenewOf('14255551214')).toBe(false);
    expect(sandbox.calls.map((call) => call.status)).toEqual([200, 200, 200]);
  });

  it('releases a keyword by its short code and exact spelling, and nothing else', async () => {
    await client.ReleaseAsync({ Number: '67076', Keyword: 'VANILLA' }, {}, AUTH);
    await client.ReleaseAsync({ Number: '99000', Keyword: 'CHOCOLATE' }, {}, AUTH);
    await client.ReleaseAsync({ Number: '67076', Keyword: 'MintChip' }, {}, AUTH);

    expect(keywordAutoRenew('67076', 'VANILLA')).toBe(false);
    expect(keywordAutoRenew('99000', 'CHOCOLATE')).toBe(false);
    expect(keywordAutoRenew('67076', 'CHOCOLATE')).toBe(true);
    expect(keywordAutoRenew('67076', 'MintChip')).toBe(false);
    expect(sandbox.calls[0]).toMatchObject({ number: '67076', keyword: 'VANILLA', status: 200 });
  });

  it('answers NOT_FOUND (Sender, HTTP 400) for an unknown number', async () => {
    const rejection = await rejectionOf(client.ReleaseAsync({ Number: '14255550000' }, {}, AUTH));

    expect(rejection).toMatchObject({
      isError: true,
      status: 400,
      faultValue: 'env:Sender',
      faultCode: 'NOT_FOUND',
      faultMessage: 'Number 14255550000 not found in this account',
    });
  });

  it('answers NOT_FOUND for a keyword in another spelling or on another short code', async () => {
    const wrongCase = await rejectionOf(
      client.ReleaseAsync({ Number: '67076', Keyword: 'mintchip' }, {}, AUTH),
    );
    const wrongShortCode = await rejectionOf(
      client.ReleaseAsync({ Number: '99000', Keyword: 'VANILLA' }, {}, AUTH),
    );

    expect(wrongCase.faultCode).toBe('NOT_FOUND');
    expect(wrongCase.faultMessage).toBe('Keyword mintchip not found on short code 67076');
    expect(wrongShortCode.faultCode).toBe('NOT_FOUND');
    expect(keywordAutoRenew('67076', 'MintChip')).toBe(true);
    expect(keywordAutoRenew('67076', 'VANILLA')).toBe(true);
  });
});

describe('GetNumber', () => {
  it('returns data:Number, which soap parses into typed fields', async () => {
    const [result] = await client.GetNumberAsync({ Number: '18005550100' }, {}, AUTH);

    expect(result).toEqual({
      Number: '18005550100',
      NationalFormat: '(800) 555-0100',
      TollFree: true,
      Status: 'ACTIVE',
      // soap turns xs:date into a Date at UTC midnight and xs:boolean into a boolean here.
      LeaseInfo: {
        LeaseBegin: new Date('2026-11-01T00:00:00.000Z'),
        LeaseEnd: new Date('2026-12-01T00:00:00.000Z'),
        AutoRenew: true,
      },
    });
  });

  it('shows a release', async () => {
    await client.ReleaseAsync({ Number: '13125550042' }, {}, AUTH);
    const [result] = await client.GetNumberAsync({ Number: '13125550042' }, {}, AUTH);

    expect(result).toMatchObject({ Status: 'ACTIVE', LeaseInfo: { AutoRenew: false } });
  });

  it('answers NOT_FOUND for an unknown number', async () => {
    const rejection = await rejectionOf(client.GetNumberAsync({ Number: '19995550000' }, {}, AUTH));

    expect(rejection).toMatchObject({ status: 400, faultCode: 'NOT_FOUND' });
  });
});

describe('GetNumber on an account without lease dates', () => {
  const account: SandboxAccount = {
    numbers: [
      {
        number: '15035550100',
        nationalFormat: '(503) 555-0100',
        tollFree: false,
        status: 'PENDING',
        autoRenew: true,
      },
    ],
    keywords: [],
  };
  let bare: CallFireSandbox;
  beforeAll(async () => {
    bare = await startCallFireSandbox({ account, credentials: { username: 'u', password: 'p' } });
  });
  afterAll(async () => {
    await bare.close();
  });

  it('omits LeaseBegin and LeaseEnd, and uses the credentials it was given', async () => {
    const response = await fetch(bare.url, {
      method: 'POST',
      headers: {
        ...basicAuth({ username: 'u', password: 'p' }),
        'content-type': `application/soap+xml; charset=utf-8; action="${ACTION}GetNumber"`,
      },
      body: envelope('<svc:GetNumber><svc:Number>15035550100</svc:Number></svc:GetNumber>'),
    });
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(text).toContain(
      '<data:Status>PENDING</data:Status><data:LeaseInfo><data:AutoRenew>true</data:AutoRenew></data:LeaseInfo>',
    );
    expect(text).not.toContain('LeaseBegin');
  });
});

describe('QueryKeywords', () => {
  it('returns the total and every keyword with the defaults', async () => {
    const [result] = await client.QueryKeywordsAsync({}, {}, AUTH);

    expect(result).toMatchObject({ TotalResults: 5 });
    const keywords = (result as { Keyword: Array<Record<string, unknown>> }).Keyword;
    expect(keywords.map((k) => `${k.Keyword}@${k.ShortCode}`)).toEqual([
      'VANILLA@67076',
      'STRAWBERRY@67076',
      'CHOCOLATE@67076',
      'CHOCOLATE@99000',
      'MintChip@67076',
    ]);
    expect(keywords[1]).toEqual({
      ShortCode: '67076',
      Keyword: 'STRAWBERRY',
      Status: 'ACTIVE',
      LeaseInfo: {
        LeaseBegin: '2026-11-01',
        LeaseEnd: '2026-12-01',
        // Unlike in GetNumber, soap 1.13 leaves LeaseInfo inside a referenced data:Keyword
        // untyped: AutoRenew arrives as the STRING "false" (truthy!), dates as strings.
        AutoRenew: 'false',
      },
    });
  });

  it('pages by MaxResults/FirstResult, capped at maxPageSize', async () => {
    sandbox.maxPageSize = 2;
    const pages: string[][] = [];
    for (let first = 0; first < 6; first += 2) {
      const [result] = await client.QueryKeywordsAsync(
        { MaxResults: 1000, FirstResult: first },
        {},
        AUTH,
      );
      const page = result as { TotalResults: number; Keyword?: Array<{ Keyword: string }> };
      expect(page.TotalResults).toBe(5);
      pages.push((page.Keyword ?? []).map((k) => k.Keyword));
    }

    expect(pages).toEqual([['VANILLA', 'STRAWBERRY'], ['CHOCOLATE', 'CHOCOLATE'], ['MintChip']]);
    const [past] = await client.QueryKeywordsAsync({ FirstResult: 5 }, {}, AUTH);
    // No data:Keyword at all: soap leaves the property out rather than giving [].
    expect(past).toEqual({ TotalResults: 5 });
    const [one] = await client.QueryKeywordsAsync({ MaxResults: 1, FirstResult: 1 }, {}, AUTH);
    expect((one as { Keyword: Array<{ Keyword: string }> }).Keyword).toEqual([
      expect.objectContaining({ Keyword: 'STRAWBERRY' }),
    ]);
  });
});

describe('authentication', () => {
  it('answers 401 with an HTML page and a Basic challenge for a wrong password', async () => {
    const rejection = await rejectionOf(
      client.ReleaseAsync(
        { Number: '14255551212' },
        {},
        basicAuth({ ...SANDBOX_CREDENTIALS, password: 'wrong' }),
      ),
    );

    // The 401 body is well-formed HTML, so soap says "Cannot parse response" (an Error).
    expect(rejection).toMatchObject({
      isError: true,
      message: 'Cannot parse response',
      status: 401,
    });
    expect(rejection.headers?.['www-authenticate']).toBe('Basic realm="CallFire API"');
    expect(autoRenewOf('14255551212')).toBe(true);
    expect(sandbox.calls).toEqual([
      {
        operation: 'Release',
        number: '14255551212',
        authorized: false,
        status: 401,
        at: expect.any(Number),
      },
    ]);
  });

  it('answers 401 without credentials, and follows a password rotation', async () => {
    const none = await rejectionOf(client.ReleaseAsync({ Number: '14255551212' }));
    sandbox.credentials = { ...SANDBOX_CREDENTIALS, password: 'rotated-Pa55!' };
    const old = await rejectionOf(client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH));
    await client.ReleaseAsync(
      { Number: '14255551212' },
      {},
      basicAuth({ ...SANDBOX_CREDENTIALS, password: 'rotated-Pa55!' }),
    );

    expect(none.status).toBe(401);
    expect(old.status).toBe(401);
    expect(autoRenewOf('14255551212')).toBe(false);
    expect(sandbox.calls.map((call) => [call.authorized, call.status])).toEqual([
      [false, 401],
      [false, 401],
      [true, 200],
    ]);
  });
});

describe('injected faults', () => {
  it('answers a SOAP fault for the targeted number only, once by default', async () => {
    sandbox.injectFault({
      fault: { type: 'fault', code: 'UNAVAILABLE', message: 'down <for> "maintenance" & more' },
      operation: 'Release',
      target: '14255551213',
    });

    await client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH);
    const rejection = await rejectionOf(client.ReleaseAsync({ Number: '14255551213' }, {}, AUTH));
    await client.ReleaseAsync({ Number: '14255551213' }, {}, AUTH);

    expect(rejection).toMatchObject({
      status: 500,
      faultValue: 'env:Receiver',
      faultCode: 'UNAVAILABLE',
      faultMessage: 'down <for> "maintenance" & more',
      reason: 'down <for> "maintenance" & more',
    });
    expect(sandbox.calls.map((call) => call.status)).toEqual([200, 500, 200]);
    expect(sandbox.pendingFaults()).toEqual([]);
  });

  it('matches a keyword target case-insensitively and filters by operation', async () => {
    sandbox.injectFault({ fault: { type: 'fault', code: 'FORBIDDEN' }, target: 'vanilla' });
    sandbox.injectFault({ fault: { type: 'fault', code: 'TIMEOUT' }, operation: 'GetNumber' });

    const keyword = await rejectionOf(
      client.ReleaseAsync({ Number: '67076', Keyword: 'VANILLA' }, {}, AUTH),
    );
    await client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH);
    const getNumber = await rejectionOf(client.GetNumberAsync({ Number: '14255551212' }, {}, AUTH));

    expect(keyword).toMatchObject({
      status: 400,
      faultCode: 'FORBIDDEN',
      faultValue: 'env:Sender',
    });
    expect(getNumber).toMatchObject({ status: 500, faultCode: 'TIMEOUT' });
    expect(keywordAutoRenew('67076', 'VANILLA')).toBe(true);
  });

  it('lets the first matching rule win, and repeats a rule `times` times or forever', async () => {
    sandbox.injectFault({ fault: { type: 'fault', code: 'NOT_IMPLEMENTED' }, times: 2 });
    sandbox.injectFault({ fault: { type: 'fault', code: 'UNAVAILABLE' }, times: Infinity });

    const codes: Array<string | undefined> = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      codes.push(
        (await rejectionOf(client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH))).faultCode,
      );
    }
    expect(sandbox.pendingFaults()).toEqual([
      { fault: { type: 'fault', code: 'UNAVAILABLE' }, times: Infinity },
    ]);
    sandbox.clearFaults();
    await client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH);

    expect(codes).toEqual(['NOT_IMPLEMENTED', 'NOT_IMPLEMENTED', 'UNAVAILABLE', 'UNAVAILABLE']);
    expect(autoRenewOf('14255551212')).toBe(false);
  });

  it('answers a bare 503 text/html; soap rejects with a plain object, not an Error', async () => {
    sandbox.injectFault({
      fault: {
        type: 'http',
        status: 503,
        body: '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
      },
    });

    const rejection = await rejectionOf(client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH));

    // Malformed HTML (the unclosed <hr>) is "Invalid XML" to soap: a plain { Fault } object.
    expect(rejection).toMatchObject({
      isError: false,
      status: 503,
      plainFault: { faultstring: 'Invalid XML' },
    });
    expect(rejection.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(autoRenewOf('14255551212')).toBe(true);
  });

  it('answers 429 with extra headers and 500 with an empty body', async () => {
    sandbox.injectFault({ fault: { type: 'http', status: 429, headers: { 'retry-after': '3' } } });
    sandbox.injectFault({ fault: { type: 'http', status: 500 } });

    const throttled = await rejectionOf(client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH));
    const failed = await rejectionOf(client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH));

    expect(throttled).toMatchObject({
      isError: true,
      message: 'Error http status codes',
      status: 429,
    });
    expect(throttled.headers?.['retry-after']).toBe('3');
    expect(failed).toMatchObject({
      isError: true,
      message: 'Error http status codes',
      status: 500,
    });
  });

  it('makes soap RESOLVE a Release answered by an error status with a JSON body', async () => {
    // A trap for callers, pinned here so it is not forgotten: Release has no output parts, so
    // soap falls back to JSON.parse on a body it cannot read as XML, and hands back success.
    sandbox.injectFault({
      fault: { type: 'http', status: 503, body: '{"message":"Service Unavailable"}' },
    });

    const [result, rawResponse] = await client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH);

    expect((result as { status?: number }).status).toBe(503);
    expect(rawResponse).toEqual({ message: 'Service Unavailable' });
    expect(autoRenewOf('14255551212')).toBe(true);
  });

  it('delays the answer but applies the release on arrival', async () => {
    sandbox.injectFault({ fault: { type: 'delay', ms: 150 } });
    const started = Date.now();
    const pending = client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(autoRenewOf('14255551212')).toBe(false);
    expect(sandbox.calls[0]?.status).toBe(0);
    await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(sandbox.calls[0]?.status).toBe(200);
  });

  it('adds latencyMs before every answer', async () => {
    sandbox.latencyMs = 60;
    const started = Date.now();
    await client.GetNumberAsync({ Number: '14255551212' }, {}, AUTH);

    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('resets the connection: soap rejects with an AxiosError ECONNRESET', async () => {
    sandbox.injectFault({ fault: { type: 'reset' }, operation: 'Release' });

    const rejection = await rejectionOf(client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH));

    // A real TCP RST ("read ECONNRESET"), not a FIN, which node reports as "socket hang up".
    expect(rejection).toMatchObject({
      isError: true,
      code: 'ECONNRESET',
      message: 'read ECONNRESET',
    });
    expect(rejection.status).toBeUndefined();
    expect(autoRenewOf('14255551212')).toBe(true);
    expect(sandbox.calls[0]).toMatchObject({ operation: 'Release', status: 0 });
    // The sandbox itself is unharmed.
    await client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH);
    expect(autoRenewOf('14255551212')).toBe(false);
  });

  it('hangs until the client aborts: soap rejects with ERR_CANCELED', async () => {
    sandbox.injectFault({ fault: { type: 'hang' } });
    const started = Date.now();

    const rejection = await rejectionOf(
      client.ReleaseAsync({ Number: '14255551212' }, { signal: AbortSignal.timeout(150) }, AUTH),
    );

    expect(rejection).toMatchObject({ isError: true, code: 'ERR_CANCELED' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(autoRenewOf('14255551212')).toBe(true);
    expect(sandbox.calls[0]?.status).toBe(0);
  });

  it('refuses an invalid rule', () => {
    expect(() => sandbox.injectFault({ fault: { type: 'delay', ms: -1 } })).toThrow(/fault\.ms/);
    expect(() => sandbox.injectFault({ fault: { type: 'reset' }, times: 0 })).toThrow(/times/);
    expect(sandbox.pendingFaults()).toEqual([]);
  });
});

describe('request validation', () => {
  const badRequests: Array<[name: string, body: string, action: string, reason: RegExp]> = [
    [
      'Release without Number',
      envelope('<svc:Release><svc:Keyword>VANILLA</svc:Keyword></svc:Release>'),
      'Release',
      /Release requires a Number element/,
    ],
    [
      'Keyword before Number',
      envelope(
        '<svc:Release><svc:Keyword>VANILLA</svc:Keyword><svc:Number>67076</svc:Number></svc:Release>',
      ),
      'Release',
      /Release\/Number must come before Release\/Keyword/,
    ],
    [
      'two Numbers (the documentation page PHP example style)',
      envelope(
        '<svc:Release><svc:Number>14255551212</svc:Number><svc:Number>14255551213</svc:Number></svc:Release>',
      ),
      'Release',
      /Release\/Number may occur at most once/,
    ],
    [
      'an unqualified Number',
      envelope('<svc:Release><Number>14255551212</Number></svc:Release>'),
      'Release',
      /Release\/Number must be in namespace http:\/\/api\.callfire\.com\/service\/xsd/,
    ],
    [
      'an element the schema does not have',
      envelope('<svc:Release><svc:Numbers>14255551212</svc:Numbers></svc:Release>'),
      'Release',
      /unexpected element \{http:\/\/api\.callfire\.com\/service\/xsd\}Numbers in Release/,
    ],
    [
      'a Number that is not a PhoneNumber',
      envelope('<svc:Release><svc:Number>425-555-1212</svc:Number></svc:Release>'),
      'Release',
      /"425-555-1212" is not a PhoneNumber/,
    ],
    [
      'an empty Keyword',
      envelope(
        '<svc:Release><svc:Number>67076</svc:Number><svc:Keyword></svc:Keyword></svc:Release>',
      ),
      'Release',
      /Release\/Keyword must not be empty/,
    ],
    [
      'a nil Keyword (what soap sends for null)',
      envelope(
        '<svc:Release><svc:Number>67076</svc:Number><svc:Keyword xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/></svc:Release>',
      ),
      'Release',
      /Release\/Keyword is not nillable/,
    ],
    [
      'markup inside Number (XML injection through CDATA-looking values)',
      envelope('<svc:Release><svc:Number><svc:Keyword>X</svc:Keyword></svc:Number></svc:Release>'),
      'Release',
      /Release\/Number must hold text/,
    ],
    [
      'an action that does not match the Body',
      envelope('<svc:Release><svc:Number>14255551212</svc:Number></svc:Release>'),
      'GetNumber',
      /action names GetNumber but the Body holds Release/,
    ],
    ['an unknown action', envelope('<svc:QueryNumbers/>'), 'QueryNumbers', /unknown action/],
    [
      'a negative MaxResults',
      envelope('<svc:QueryKeywords><svc:MaxResults>-1</svc:MaxResults></svc:QueryKeywords>'),
      'QueryKeywords',
      /QueryKeywords\/MaxResults "-1" is not a non-negative integer/,
    ],
    [
      'FirstResult before MaxResults',
      envelope(
        '<svc:QueryKeywords><svc:FirstResult>1</svc:FirstResult><svc:MaxResults>1</svc:MaxResults></svc:QueryKeywords>',
      ),
      'QueryKeywords',
      /QueryKeywords\/MaxResults must come before QueryKeywords\/FirstResult/,
    ],
    [
      'GetNumber with a Keyword',
      envelope(
        '<svc:GetNumber><svc:Number>14255551212</svc:Number><svc:Keyword>X</svc:Keyword></svc:GetNumber>',
      ),
      'GetNumber',
      /unexpected element .*Keyword in GetNumber/,
    ],
    [
      'two operations in one Body',
      envelope(
        '<svc:Release><svc:Number>14255551212</svc:Number></svc:Release><svc:Release><svc:Number>14255551213</svc:Number></svc:Release>',
      ),
      'Release',
      /the SOAP Body must hold one element/,
    ],
    [
      'a SOAP 1.1 envelope under a SOAP 1.2 Content-Type',
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>',
      'Release',
      /SOAP 1\.1 envelope refused/,
    ],
    ['unparseable XML', '<soap:Envelope xmlns:soap="', 'Release', /malformed XML/],
    [
      'a DOCTYPE',
      `<!DOCTYPE x [<!ENTITY a "b">]>${envelope('<svc:Release><svc:Number>&a;</svc:Number></svc:Release>').replace(/^<\?xml[^>]*\?>/, '')}`,
      'Release',
      /must not contain a document type declaration/,
    ],
  ];

  it.each(badRequests)('answers BAD_REQUEST for %s', async (_name, body, action, reason) => {
    sandbox.injectFault({ fault: { type: 'fault', code: 'UNAVAILABLE' } });

    const response = await post(body, { action });
    const fault = parseFault(response.text);

    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/soap+xml; charset=utf-8');
    expect(fault.value).toBe('env:Sender');
    expect(fault.faultCode).toBe('BAD_REQUEST');
    expect(fault.message).toMatch(reason);
    expect(fault.reason).toBe(fault.message);
    // Refused before fault rules apply: the queued rule is still there, the account untouched.
    expect(sandbox.pendingFaults()).toHaveLength(1);
    expect(autoRenewOf('14255551212')).toBe(true);
  });

  it('answers BAD_REQUEST for a missing action parameter or a foreign Content-Type', async () => {
    const body = envelope('<svc:Release><svc:Number>14255551212</svc:Number></svc:Release>');
    const noAction = await post(body, { contentType: 'application/soap+xml; charset=utf-8' });
    const json = await post(body, { contentType: 'application/json' });

    expect(noAction.status).toBe(400);
    expect(parseFault(noAction.text).message).toMatch(/Content-Type has no action parameter/);
    expect(parseFault(json.text).message).toMatch(/Content-Type application\/json refused/);
  });

  it('accepts whitespace, comments, CDATA, a default namespace and a Header', async () => {
    const body = `<?xml version="1.0"?>\n<e:Envelope xmlns:e="${SOAP12_NS}">\n  <e:Header/>\n  <!-- hi -->\n  <e:Body>\n    <Release xmlns="${SVC_NS}">\n      <Number>67076</Number>\n      <Keyword><![CDATA[VAN]]>ILLA</Keyword>\n    </Release>\n  </e:Body>\n</e:Envelope>`;

    const response = await post(body);

    expect(response.status).toBe(200);
    expect(keywordAutoRenew('67076', 'VANILLA')).toBe(false);
    expect(sandbox.calls[0]).toMatchObject({ number: '67076', keyword: 'VANILLA' });
  });

  it('refuses a SOAP 1.1 request from a client without forceSoap12Headers', async () => {
    const soap11 = await createNumberServiceClient(sandbox.url, { soap12: false });

    const rejection = await rejectionOf(soap11.ReleaseAsync({ Number: '14255551212' }, {}, AUTH));

    expect(rejection).toMatchObject({ status: 400, faultCode: 'BAD_REQUEST' });
    expect(rejection.faultMessage).toMatch(/^SOAP 1\.1 request \(Content-Type text\/xml\) refused/);
    expect(sandbox.calls[0]).toMatchObject({ operation: 'Release', status: 400 });
    expect(autoRenewOf('14255551212')).toBe(true);
  });

  it('answers 404 off the endpoint path and 405 for other methods', async () => {
    const elsewhere = await post('', { path: '/api/1.1/soap12/call' });
    const get = await post('', { method: 'GET' });

    expect(elsewhere.status).toBe(404);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(sandbox.calls.map((call) => call.status)).toEqual([404, 405]);
  });
});

describe('control API', () => {
  const control = (path: string, init?: RequestInit) =>
    fetch(new URL(`/_sandbox/${path}`, sandbox.url), init);

  it('shows calls and the live account', async () => {
    await client.ReleaseAsync({ Number: '18005550100' }, {}, AUTH);

    const calls = await (await control('calls')).json();
    const account = (await (await control('account')).json()) as SandboxAccount;

    expect(calls).toEqual([
      expect.objectContaining({ operation: 'Release', number: '18005550100' }),
    ]);
    expect(account.numbers).toHaveLength(205);
    expect(account.numbers.find((n) => n.number === '18005550100')?.autoRenew).toBe(false);
  });

  it('queues, lists and clears faults; times may be omitted or "Infinity"', async () => {
    const once = await control('faults', {
      method: 'POST',
      body: JSON.stringify({
        fault: { type: 'fault', code: 'UNAVAILABLE' },
        target: '14255551212',
      }),
    });
    const always = await control('faults', {
      method: 'POST',
      body: JSON.stringify({ fault: { type: 'http', status: 502 }, times: 'Infinity' }),
    });
    const listed = await (await control('faults')).json();
    const rejection = await rejectionOf(client.ReleaseAsync({ Number: '14255551212' }, {}, AUTH));
    const cleared = await control('faults', { method: 'DELETE' });

    expect(once.status).toBe(201);
    expect(always.status).toBe(201);
    expect(listed).toEqual([
      { fault: { type: 'fault', code: 'UNAVAILABLE' }, target: '14255551212', times: 1 },
      { fault: { type: 'http', status: 502 }, times: 'Infinity' },
    ]);
    expect(rejection.faultCode).toBe('UNAVAILABLE');
    expect(cleared.status).toBe(200);
    expect(sandbox.pendingFaults()).toEqual([]);
  });

  it('answers 400 with a reason for a bad rule or bad JSON', async () => {
    const badRule = await control('faults', {
      method: 'POST',
      body: JSON.stringify({ fault: { type: 'fault', code: 'SOMETIMES' } }),
    });
    const badJson = await control('faults', { method: 'POST', body: '{"fault":' });

    expect(badRule.status).toBe(400);
    expect(((await badRule.json()) as { error: string }).error).toMatch(
      /fault\.code must be one of/,
    );
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toMatch(/not valid JSON/);
    expect(sandbox.pendingFaults()).toEqual([]);
  });

  it('sets latency, credentials and page size, and resets', async () => {
    const latency = await control('latency', { method: 'PUT', body: '{"ms": 50}' });
    const badLatency = await control('latency', { method: 'PUT', body: '{"ms": "fast"}' });
    await control('credentials', {
      method: 'PUT',
      body: JSON.stringify({ username: 'other', password: 'secret' }),
    });
    await control('max-page-size', { method: 'PUT', body: '{"size": 2}' });

    expect(latency.status).toBe(200);
    expect(badLatency.status).toBe(400);
    expect(sandbox.latencyMs).toBe(50);
    expect(sandbox.credentials).toEqual({ username: 'other', password: 'secret' });
    expect(sandbox.maxPageSize).toBe(2);

    const released = sandbox.account.numbers[0];
    if (released) released.autoRenew = false;
    const reset = await control('reset', { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(sandbox.latencyMs).toBe(0);
    expect(sandbox.credentials).toEqual(SANDBOX_CREDENTIALS);
    expect(sandbox.maxPageSize).toBe(1000);
    expect(autoRenewOf('14255551212')).toBe(true);
    expect(sandbox.calls).toEqual([]);
  });

  it('answers 404 for an unknown route and 405 for a wrong method', async () => {
    const unknown = await control('nothing');
    const wrongMethod = await control('calls', { method: 'DELETE' });

    expect(unknown.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    // Control requests are not SOAP calls.
    expect(sandbox.calls).toEqual([]);
  });
});

describe('defaultAccount', () => {
  it('has the documented entries and returns a fresh deep copy each time', () => {
    const first = defaultAccount();
    const second = defaultAccount();
    const firstNumber = first.numbers[0];
    if (firstNumber) firstNumber.autoRenew = false;

    expect(second.numbers[0]).toMatchObject({ number: '14255551212', autoRenew: true });
    expect(first.numbers).toHaveLength(205);
    expect(first.numbers.at(-1)?.number).toBe('13125550199');
    expect(first.numbers.find((n) => n.number === '14255559999')).toMatchObject({
      status: 'RELEASED',
      autoRenew: false,
    });
    expect(first.numbers.find((n) => n.number === '18005550100')?.tollFree).toBe(true);
    expect(first.keywords.map((k) => [k.keyword, k.shortCode, k.autoRenew])).toEqual([
      ['VANILLA', '67076', true],
      ['STRAWBERRY', '67076', false],
      ['CHOCOLATE', '67076', true],
      ['CHOCOLATE', '99000', true],
      ['MintChip', '67076', true],
    ]);
  });
});

describe('connections', () => {
  it('keeps connections alive and still closes promptly with idle and hanging sockets open', async () => {
    const own = await startCallFireSandbox();
    own.injectFault({ fault: { type: 'hang' }, target: '14255551213' });
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const send = (number: string) =>
      new Promise<{ status: number; socketId: unknown }>((resolve, reject) => {
        const body = envelope(`<svc:Release><svc:Number>${number}</svc:Number></svc:Release>`);
        const req = httpRequest(
          own.url,
          {
            method: 'POST',
            agent,
            headers: {
              ...AUTH,
              'content-type': `application/soap+xml; charset=utf-8; action="${ACTION}Release"`,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, socketId: req.socket }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    const first = await send('14255551212');
    const second = await send('14255551212');
    const hanging = send('14255551213').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await own.close();
    const closedIn = Date.now() - started;

    expect(first.status).toBe(200);
    expect(second.socketId).toBe(first.socketId);
    expect(closedIn).toBeLessThan(500);
    expect(await hanging).toMatchObject({ code: 'ECONNRESET' });
    agent.destroy();
  });
});

describe('callfire-sandbox-main', () => {
  it('prints where it listens as one JSON line and exits cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/callfire-sandbox-main.ts', '--port', '0'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const printed = JSON.parse(line) as { url: string; username: string; password: string };
    const response = await fetch(printed.url, {
      method: 'POST',
      headers: {
        ...basicAuth(printed),
        'content-type': `application/soap+xml; charset=utf-8; action="${ACTION}Release"`,
      },
      body: envelope('<svc:Release><svc:Number>14255551212</svc:Number></svc:Release>'),
    });
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');

    expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/1\.1\/soap12\/number$/);
    expect(printed).toMatchObject(SANDBOX_CREDENTIALS);
    expect(response.status).toBe(200);
    expect(code).toBe(0);
  });
});
