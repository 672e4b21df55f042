// The local CallFire sandbox, driven over loopback by the real `soap` client built from the
// function's WSDL, and by hand-made requests for what that client would never send: if the sandbox
// and the client disagree, these tests fail before the function's own tests can be misled by it.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as contract from '../../functions/release/callfire/contract';
import {
  type CallFireSandbox,
  defaultAccount,
  type Fault,
  type FaultRule,
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

const AUTH = basicAuth(SANDBOX_CREDENTIALS);
const { soap12Envelope: SOAP12, soap11Envelope: SOAP11, service: SVC, xsi } = contract.NAMESPACES;

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

const autoRenewOf = (number: string) =>
  sandbox.account.numbers.find((entry) => entry.number === number)?.autoRenew;
const release = (number: string, keyword?: string) =>
  client.ReleaseAsync({ Number: number, ...(keyword && { Keyword: keyword }) }, {}, AUTH);
const envelope = (content: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP12}" xmlns:svc="${SVC}"><s:Body>${content}</s:Body></s:Envelope>`;
const releaseOf = (children: string) => envelope(`<svc:Release>${children}</svc:Release>`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A hand-made SOAP request, for what the soap client would never send. */
async function post(body: string, { action = 'Release', contentType = '' } = {}) {
  const soap12 = `application/soap+xml; action="${contract.SOAP_ACTION_PREFIX}${action}"`;
  const headers = { ...AUTH, 'content-type': contentType || soap12 };
  const response = await fetch(sandbox.url, { method: 'POST', headers, body, redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('Release', () => {
  it('Release turns auto-renew off and answers an empty SOAP 1.2 Body, logged', async () => {
    const [, rawResponse] = await release('14255551212');
    await release('14255551214'); // already off: still a success

    expect(rawResponse).toContain(`<env:Envelope xmlns:env="${SOAP12}"><env:Body></env:Body>`);
    expect([autoRenewOf('14255551212'), autoRenewOf('14255551213')]).toEqual([false, true]);
    expect(sandbox.calls[0]).toEqual({
      operation: 'Release',
      number: '14255551212',
      authorized: true,
      status: 200,
      at: expect.any(Number),
    });
  });

  it('Release finds keywords by short code and exact spelling only', async () => {
    await release('99000', 'CHOCOLATE');
    const otherCase = await rejectionOf(release('67076', 'mintchip'));
    const unknown = await rejectionOf(release('14255550000'));

    const chocolate = sandbox.account.keywords.filter((k) => k.keyword === 'CHOCOLATE');
    expect(chocolate.map((k) => k.autoRenew)).toEqual([true, false]); // on 67076, on 99000
    expect(otherCase).toMatchObject({ status: 400, faultValue: 'env:Sender' });
    expect(otherCase.faultMessage).toBe('mintchip on short code 67076 not found in this account');
    expect(otherCase.faultCode).toBe('NOT_FOUND');
    expect(unknown.faultMessage).toBe('14255550000 not found in this account');
  });
});

describe('queries', () => {
  it('GetNumber answers data:Number, which soap parses into typed fields', async () => {
    await release('18005550100');
    const [result] = await client.GetNumberAsync({ Number: '18005550100' }, {}, AUTH);
    const missing = await rejectionOf(client.GetNumberAsync({ Number: '19995550000' }, {}, AUTH));

    expect(result).toEqual({
      Number: '18005550100',
      NationalFormat: '(800) 555-0100',
      TollFree: true,
      Status: 'ACTIVE',
      LeaseInfo: {
        LeaseBegin: new Date('2026-11-01T00:00:00.000Z'),
        LeaseEnd: new Date('2026-12-01T00:00:00.000Z'),
        AutoRenew: false,
      },
    });
    expect(missing).toMatchObject({ status: 400, faultCode: 'NOT_FOUND' });
  });

  it('QueryKeywords pages by MaxResults and FirstResult, capped at maxPageSize', async () => {
    sandbox.maxPageSize = 2;
    const pages: string[][] = [];
    for (const FirstResult of [0, 2, 4, 6]) {
      const [page] = await client.QueryKeywordsAsync({ MaxResults: 1000, FirstResult }, {}, AUTH);
      const { TotalResults, Keyword = [] } = page as { TotalResults: number; Keyword?: [] };
      expect(TotalResults).toBe(5);
      pages.push(Keyword.map((k: { Keyword: string }) => k.Keyword));
    }

    expect(pages).toEqual([
      ['VANILLA', 'STRAWBERRY'],
      ['CHOCOLATE', 'CHOCOLATE'],
      ['MintChip'],
      [],
    ]);
  });

  it('QueryKeywords answers the first page whatever FirstResult says when ignoreFirstResult', async () => {
    Object.assign(sandbox, { maxPageSize: 2, ignoreFirstResult: true });

    const [second] = await client.QueryKeywordsAsync({ FirstResult: 2 }, {}, AUTH);

    expect(second).toMatchObject({ Keyword: [{ Keyword: 'VANILLA' }, { Keyword: 'STRAWBERRY' }] });
  });

  it('lists a keyword twice when the account does, and releases both', async () => {
    const vanilla = sandbox.account.keywords[0];
    if (vanilla) sandbox.account.keywords.push({ ...vanilla }); // live: reset() drops it again

    const [listed] = await client.QueryKeywordsAsync({}, {}, AUTH);
    await release('67076', 'VANILLA');

    expect(listed).toMatchObject({ TotalResults: 6, Keyword: { 5: { Keyword: 'VANILLA' } } });
    const copies = sandbox.account.keywords.filter((k) => k.keyword === 'VANILLA');
    expect(copies.map((k) => k.autoRenew)).toEqual([false, false]);
  });
});

describe('authentication', () => {
  it('answers 401 with an HTML page and a Basic challenge before judging the body', async () => {
    const wrong = basicAuth({ ...SANDBOX_CREDENTIALS, password: 'x' });
    const rejected = await rejectionOf(client.ReleaseAsync({ Number: '14255551212' }, {}, wrong));
    const none = await fetch(sandbox.url, { method: 'POST', body: 'not even SOAP' });

    expect(rejected).toMatchObject({ message: 'Cannot parse response', status: 401 });
    expect(rejected.headers?.['www-authenticate']).toBe('Basic realm="CallFire API"');
    expect(none.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(autoRenewOf('14255551212')).toBe(true);
    // The log still says what the refused requests were for.
    expect(sandbox.calls.map(({ number, status }) => [number, status])).toEqual([
      ['14255551212', 401],
      [undefined, 401],
    ]);
  });

  it('follows a password rotation', async () => {
    sandbox.credentials = { ...SANDBOX_CREDENTIALS, password: 'rotated-Pa55!' };

    expect((await rejectionOf(release('14255551212'))).status).toBe(401);
    await client.ReleaseAsync({ Number: '14255551212' }, {}, basicAuth(sandbox.credentials));
    expect(autoRenewOf('14255551212')).toBe(false);
  });
});

describe('request checks', () => {
  const [N, K] = ['<svc:Number>67076</svc:Number>', '<svc:Keyword>X</svc:Keyword>'];
  const nil = `<svc:Keyword xmlns:xsi="${xsi}" xsi:nil="true"/>`;
  const query = (content: string) => envelope(`<svc:QueryKeywords>${content}</svc:QueryKeywords>`);
  const [QUERY, GET] = [{ action: 'QueryKeywords' }, { action: 'GetNumber' }];
  const doctype = `<!DOCTYPE x [<!ENTITY a "1">]><s:Envelope xmlns:s="${SOAP12}"/>`;
  const badRequests: Array<[string, string, RegExp, { action?: string; contentType?: string }?]> = [
    ['Keyword before Number', releaseOf(K + N), /Release\/Number must come before Release\/K/],
    ['a duplicate Number', releaseOf(N + N), /Release\/Number may occur at most once/],
    ['a missing Number', releaseOf(K), /Release requires a Number element/],
    ['an unqualified Number', releaseOf('<Number>1</Number>'), /Number must be in namespace/],
    ['an unknown element', releaseOf('<svc:Nr>1</svc:Nr>'), /unexpected element .*}Nr in Release/],
    ['a nil Keyword (soap sends null so)', releaseOf(N + nil), /Keyword is not nillable/],
    ['a non-PhoneNumber', releaseOf('<svc:Number>425-555</svc:Number>'), /is not a PhoneNumber/],
    ['markup inside Number', releaseOf(`<svc:Number>${K}</svc:Number>`), /Number must hold text/],
    ['an empty Keyword', releaseOf(`${N}<svc:Keyword/>`), /"" is not a non-empty string/],
    ['a control character', releaseOf(`${N}<svc:Keyword>&#1;</svc:Keyword>`), /non-empty str/],
    ['a negative MaxResults', query('<svc:MaxResults>-1</svc:MaxResults>'), /"-1" is not a/, QUERY],
    ['a Body unlike the action', releaseOf(N), /names GetNumber but the Body holds/, GET],
    ['an unknown action', releaseOf(N), /unknown action/, { action: 'QueryNumbers' }],
    ['a foreign Body element', envelope('<Release xmlns="urn:x"/>'), /is not in http:/],
    ['two Body elements', envelope('<svc:Release/><svc:Release/>'), /must hold one element/],
    ['a SOAP 1.1 envelope', `<e:Envelope xmlns:e="${SOAP11}"/>`, /SOAP 1\.1 envelope refused/],
    ['malformed XML', '<s:Envelope xmlns:s="', /malformed XML/],
    ['a DOCTYPE', doctype, /must not contain a document type declaration/],
    ['no action parameter', N, /has no action/, { contentType: 'application/soap+xml' }],
    ['a foreign media type', N, /application\/json refused/, { contentType: 'application/json' }],
  ];

  it.each(badRequests)('answers BAD_REQUEST (400) for %s', async (_name, body, reason, options) => {
    sandbox.injectFault({ fault: { type: 'fault', code: 'UNAVAILABLE' } });

    const response = await post(body, options);
    const fault = parseFault(response.text);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/soap+xml; charset=utf-8');
    expect(fault).toMatchObject({ value: 'env:Sender', faultCode: 'BAD_REQUEST' });
    expect(fault.message).toMatch(reason);
    // Refused before fault rules apply: the queued rule is still there, the account untouched.
    expect(sandbox.pendingFaults()).toHaveLength(1);
    expect(autoRenewOf('14255551212')).toBe(true);
  });
});

describe('request checks beyond the schema', () => {
  it('refuses a SOAP 1.1 request from a client without forceSoap12Headers', async () => {
    const soap11 = await createNumberServiceClient(sandbox.url, { soap12: false });

    const rejection = await rejectionOf(soap11.ReleaseAsync({ Number: '14255551212' }, {}, AUTH));

    expect(rejection).toMatchObject({ status: 400, faultCode: 'BAD_REQUEST' });
    expect(rejection.faultMessage).toMatch(/^SOAP 1\.1 request \(text\/xml\) refused/);
    expect(sandbox.calls[0]).toMatchObject({ operation: 'Release', status: 400 });
  });

  it('accepts whitespace, comments, CDATA, a default namespace and a Header', async () => {
    const release = `<Release xmlns="${SVC}">\n <Number>67076</Number>\n <Keyword><![CDATA[VAN]]>ILLA</Keyword>\n</Release>`;
    const body = `<e:Envelope xmlns:e="${SOAP12}">\n<e:Header/><!-- hi -->\n<e:Body>${release}</e:Body></e:Envelope>`;

    expect((await post(body)).status).toBe(200);
    expect(sandbox.calls[0]).toMatchObject({ number: '67076', keyword: 'VANILLA' });
  });

  it('escapes what it echoes, so that a hostile value still gives well-formed XML', async () => {
    const hostile = '<svc:Keyword>&lt;x&gt;&amp;"y"</svc:Keyword>';
    const response = await post(releaseOf(`<svc:Number>67076</svc:Number>${hostile}`));

    expect(parseFault(response.text).message).toMatch(/^<x>&"y" on short code 67076 not found/);
  });
});

describe('injected SOAP faults', () => {
  it('answers a SOAP fault to the target only, once by default, message escaped', async () => {
    const fault: Fault = { type: 'fault', code: 'UNAVAILABLE', message: 'down <for> "a" & b' };
    sandbox.injectFault({ fault, operation: 'Release', target: '14255551213' });

    await release('14255551212');
    const rejection = await rejectionOf(release('14255551213'));
    await release('14255551213');

    expect(rejection).toMatchObject({ status: 500, faultValue: 'env:Receiver' });
    expect(rejection).toMatchObject({
      faultCode: 'UNAVAILABLE',
      faultMessage: 'down <for> "a" & b',
    });
    expect(sandbox.calls.map((call) => call.status)).toEqual([200, 500, 200]);
  });

  it('matches keywords in any case, filters by operation, and lets the first rule win', async () => {
    const rule = (code: 'TIMEOUT' | 'FORBIDDEN' | 'NOT_IMPLEMENTED', more: Partial<FaultRule>) =>
      sandbox.injectFault({ fault: { type: 'fault', code }, ...more });
    rule('FORBIDDEN', { target: 'vanilla' });
    rule('TIMEOUT', { operation: 'GetNumber', times: Infinity });
    rule('NOT_IMPLEMENTED', { times: 2 });
    const codeOf = async (call: Promise<unknown>) => (await rejectionOf(call)).faultCode;

    const codes = [
      await codeOf(release('67076', 'VANILLA')),
      await codeOf(client.GetNumberAsync({ Number: '1' }, {}, AUTH)),
      await codeOf(release('14255551212')),
      await codeOf(release('14255551212')),
    ];
    await release('14255551212');

    expect(codes).toEqual(['FORBIDDEN', 'TIMEOUT', 'NOT_IMPLEMENTED', 'NOT_IMPLEMENTED']);
    expect(sandbox.pendingFaults()).toEqual([
      { fault: { type: 'fault', code: 'TIMEOUT' }, operation: 'GetNumber', times: Infinity },
    ]);
    // Checked on the way in, here as through the control API.
    expect(() => rule('TIMEOUT', { times: 0 })).toThrow(/times/);
  });
});

describe('injected HTTP answers', () => {
  it.each<[string, Extract<Fault, { type: 'http' }>, string | null]>([
    [
      'a 503 HTML page',
      { type: 'http', status: 503, body: '<html>busy' },
      'text/html; charset=utf-8',
    ],
    [
      'a 200 SOAP 1.1',
      { type: 'http', status: 200, body: SOAP11, contentType: 'text/xml' },
      'text/xml',
    ],
    [
      'a 302 empty envelope',
      { type: 'http', status: 302, body: envelope('') },
      'text/html; charset=utf-8',
    ],
    ['a 429 with no body', { type: 'http', status: 429, headers: { 'retry-after': '3' } }, null],
  ])('answers %s as told', async (_name, fault, contentType) => {
    sandbox.injectFault({ fault });

    const response = await post(releaseOf('<svc:Number>14255551212</svc:Number>'));

    expect(response.status).toBe(fault.status);
    expect(response.headers.get('content-type')).toBe(contentType);
    expect(response.text).toBe(fault.body ?? '');
    expect(response.headers.get('retry-after')).toBe(fault.headers?.['retry-after'] ?? null);
  });
});

describe('injected timing', () => {
  it('delays the answer on top of latencyMs, but applies the release on arrival', async () => {
    sandbox.latencyMs = 50;
    sandbox.injectFault({ fault: { type: 'delay', ms: 100 } });
    const started = Date.now();
    const pending = release('14255551212');
    await sleep(60);

    expect([autoRenewOf('14255551212'), sandbox.calls[0]?.status]).toEqual([false, 0]);
    await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(sandbox.calls[0]?.status).toBe(200);
  });

  it.each([
    [false, true],
    [true, false],
  ])('resets the connection (afterApplying: %s): ECONNRESET', async (afterApplying, renews) => {
    sandbox.injectFault({ fault: { type: 'reset', afterApplying } });

    const rejection = await rejectionOf(release('14255551212'));

    // A real TCP RST ("read ECONNRESET"), not a FIN, which node reports as "socket hang up".
    expect(rejection).toMatchObject({ code: 'ECONNRESET', message: 'read ECONNRESET' });
    expect([autoRenewOf('14255551212'), sandbox.calls[0]?.status]).toEqual([renews, 0]);
  });

  it('hangs until the client aborts, and closes promptly with the request still open', async () => {
    const own = await startCallFireSandbox();
    own.injectFault({ fault: { type: 'hang' }, times: 2 });
    const ownClient = await createNumberServiceClient(own.url);
    const send = (options = {}) =>
      rejectionOf(ownClient.ReleaseAsync({ Number: '1' }, options, AUTH));

    const aborted = await send({ signal: AbortSignal.timeout(100) });
    const pending = send();
    await sleep(50);
    const started = Date.now();
    await own.close();

    expect(aborted).toMatchObject({ code: 'ERR_CANCELED' });
    expect(Date.now() - started).toBeLessThan(250);
    expect(await pending).toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('control API', () => {
  const control = async (route: string, method = 'GET', body?: unknown) => {
    const init = { method, ...(body !== undefined && { body: JSON.stringify(body) }) };
    const response = await fetch(new URL(`/_sandbox/${route}`, sandbox.url), init);
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it('shows calls and the live account, lists its routes on a 404, and is no SOAP call', async () => {
    await release('18005550100');

    const calls = await control('calls');
    const account = (await control('account')).json as unknown as SandboxAccount;
    const unknown = await control('calls', 'DELETE');

    expect(calls.json).toEqual([expect.objectContaining({ number: '18005550100' })]);
    expect(account.numbers.find((n) => n.number === '18005550100')?.autoRenew).toBe(false);
    expect(unknown.status).toBe(404);
    expect(unknown.json.routes).toContain('PUT /_sandbox/latency');
    expect(sandbox.calls).toHaveLength(1);
  });

  it('queues, lists and clears faults; times may be "Infinity"', async () => {
    const fault = { type: 'reset', afterApplying: true };
    const posted = await control('faults', 'POST', { fault, times: 'Infinity' });
    const listed = await control('faults');
    const cleared = await control('faults', 'DELETE');

    expect(posted.status).toBe(200);
    expect(listed.json).toEqual([{ fault, times: 'Infinity' }]);
    expect(cleared).toEqual({ status: 200, json: { ok: true } });
    expect(sandbox.pendingFaults()).toEqual([]);
  });

  it.each([
    ['faults', 'POST', { fault: { type: 'fault', code: 'SOMETIMES' } }, /^fault\.code: /],
    ['faults', 'POST', { fault: { type: 'http', status: 700 } }, /^fault\.status: /],
    ['faults', 'POST', { fault: { type: 'hang' }, taget: '1' }, /"taget"/],
    ['latency', 'PUT', { ms: 'fast' }, /^ms: /],
    ['credentials', 'PUT', { username: '' }, /^username: /],
    ['paging', 'PUT', { maxPageSize: 0 }, /^maxPageSize: /],
  ])('answers 400 naming the field for a bad %s body', async (route, method, body, field) => {
    const answer = await control(route, method, body);

    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatch(field);
  });

  it('sets latency, credentials and paging, and resets them', async () => {
    await control('latency', 'PUT', { ms: 50 });
    await control('credentials', 'PUT', { username: 'other', password: 'secret' });
    await control('paging', 'PUT', { maxPageSize: 2, ignoreFirstResult: true });

    expect(sandbox).toMatchObject({ latencyMs: 50, maxPageSize: 2, ignoreFirstResult: true });
    expect(sandbox.credentials).toEqual({ username: 'other', password: 'secret' });
    expect((await control('reset', 'POST')).status).toBe(200);
    expect(sandbox).toMatchObject({ latencyMs: 0, maxPageSize: 1000, ignoreFirstResult: false });
    expect(sandbox.credentials).toEqual(SANDBOX_CREDENTIALS);
  });
});

describe('defaultAccount', () => {
  it('has the bulk block 13125550000-13125551999 and is a fresh deep copy each time', () => {
    defaultAccount().numbers.splice(0);
    const numbers = defaultAccount().numbers.map((entry) => entry.number);

    expect([numbers.length, numbers.at(-1)]).toEqual([2008, '13125551999']);
  });

  it('is looked up afresh after the live account was edited in place', async () => {
    const [, moved] = sandbox.account.numbers.splice(0, 2);
    if (moved) sandbox.account.numbers.push(moved);

    await release('14255551213');

    expect(autoRenewOf('14255551213')).toBe(false);
    expect((await rejectionOf(release('14255551212'))).faultCode).toBe('NOT_FOUND');
  });
});

describe('callfire-sandbox-main', () => {
  it('prints where it listens as one JSON line and exits cleanly on SIGTERM', async () => {
    const args = ['--import', 'tsx', 'local/callfire-sandbox-main.ts', '--latency-ms', '5'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const printed = JSON.parse(line) as { url: string; control: string };
    const put = { method: 'PUT', body: '{"ms":0}' };
    const latency = await fetch(new URL('latency', printed.control), put);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');

    expect(printed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/1\.1\/soap12\/number$/);
    expect(printed).toMatchObject(SANDBOX_CREDENTIALS);
    expect(await latency.json()).toEqual({ latencyMs: 0 });
    expect(code).toBe(0);
  });
});
