import { createClientAsync } from 'soap';
import { describe, expect, it } from 'vitest';
import { NAMESPACES } from '../../functions/release/callfire/contract';
import { NUMBER_SERVICE_WSDL } from '../../functions/release/callfire/number-service-wsdl';
import {
  judgeAnswer,
  skipParsingEmptySuccess,
} from '../../functions/release/callfire/soap-transport';

const SOAP12 = 'application/soap+xml; charset=utf-8';
const envelope = (body: string, ns: string = NAMESPACES.soap12Envelope, prefix = 'env') =>
  `<?xml version="1.0" encoding="utf-8"?><${prefix}:Envelope xmlns:${prefix}="${ns}">${body}</${prefix}:Envelope>`;
const FAULT = `<env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code></env:Fault></env:Body>`;

describe('judgeAnswer (what soap may read)', () => {
  it.each([
    ['an empty SOAP 1.2 Body', 200, SOAP12, envelope('<env:Body/>')],
    ['a Body with content', 200, SOAP12, envelope('<env:Body><x:Number xmlns:x="d"/></env:Body>')],
    [
      'a default-namespace envelope',
      200,
      SOAP12,
      `<Envelope xmlns="${NAMESPACES.soap12Envelope}"><Body/></Envelope>`,
    ],
    ['a Header before the Body', 200, SOAP12, envelope('<env:Header/><env:Body/>')],
    ['a dotted prefix', 200, SOAP12, envelope('<a.b:Body/>', NAMESPACES.soap12Envelope, 'a.b')],
    ['a fault on 500', 500, SOAP12, envelope(FAULT)],
    ['a fault on 400', 400, SOAP12, envelope(FAULT)],
    ['a fault on 200', 200, SOAP12, envelope(FAULT)],
  ])('passes %s', (_case, status, contentType, body) => {
    // Act / Assess
    expect(judgeAnswer(status, contentType, body)).toBeUndefined();
  });

  it.each([
    ['an empty body', 200, SOAP12, '', 'a non-SOAP answer'],
    ['JSON', 503, 'application/json', '{"message":"down"}', 'a non-SOAP answer'],
    ['HTML', 200, 'text/html', '<html><body>login</body></html>', 'a non-SOAP answer'],
    [
      'an empty SOAP 1.1 envelope',
      200,
      'text/xml',
      envelope('<env:Body/>', NAMESPACES.soap11Envelope),
      'a SOAP 1.1 envelope',
    ],
    ['a SOAP 1.2 Envelope without Body', 200, SOAP12, envelope(''), 'a SOAP envelope without Body'],
    [
      'a Body under another prefix than the dotted one declared',
      200,
      SOAP12,
      envelope('<aXb:Body/>', NAMESPACES.soap12Envelope, 'a.b'),
      'a SOAP envelope without Body',
    ],
    [
      'an envelope in another namespace',
      200,
      SOAP12,
      envelope('<env:Body/>', 'urn:other'),
      'an envelope in no SOAP namespace',
    ],
    [
      'a 202 with an empty envelope',
      202,
      SOAP12,
      envelope('<env:Body/>'),
      'a SOAP envelope without a fault',
    ],
    [
      'a 302 with an empty envelope',
      302,
      SOAP12,
      envelope('<env:Body/>'),
      'a SOAP envelope without a fault',
    ],
    [
      'a 307 with an empty envelope',
      307,
      SOAP12,
      envelope('<env:Body/>'),
      'a SOAP envelope without a fault',
    ],
    [
      'a SOAP 1.2 envelope as text/xml',
      200,
      'text/xml',
      envelope('<env:Body/>'),
      'a SOAP 1.2 envelope as text/xml',
    ],
    [
      'a SOAP 1.2 envelope without content type',
      200,
      undefined,
      envelope('<env:Body/>'),
      'a SOAP 1.2 envelope as no content type',
    ],
    ['another root element', 200, SOAP12, '<Body/>', 'a non-SOAP answer'],
  ])('refuses %s', (_case, status, contentType, body, problem) => {
    // Act / Assess
    expect(judgeAnswer(status, contentType, body)).toBe(problem);
  });
});

describe('skipParsingEmptySuccess (soap reads an empty success without its XML parser)', () => {
  const parserOf = async () => {
    // A real soap client over the project's WSDL, two copies: one keeps soap's own parser.
    const open = () =>
      createClientAsync(NUMBER_SERVICE_WSDL, {
        forceSoap12Headers: true,
        endpoint: 'http://127.0.0.1:9/unused',
        disableCache: true,
      });
    const [plain, shortcut] = await Promise.all([open(), open()]);
    skipParsingEmptySuccess(shortcut);
    return {
      soap: (xml: string) => plain.wsdl.xmlToObject(xml),
      ours: (xml: string) => shortcut.wsdl.xmlToObject(xml),
    };
  };

  it.each([
    ['a self-closing Body', envelope('<env:Body/>')],
    ['an open and closed Body', envelope('<env:Body></env:Body>')],
    ['an empty Header and Body', envelope('<env:Header/><env:Body/>')],
    ['another prefix', envelope('<soap:Body />', NAMESPACES.soap12Envelope, 'soap')],
    [
      'no XML declaration',
      `<e:Envelope xmlns:e="${NAMESPACES.soap12Envelope}"><e:Body/></e:Envelope>`,
    ],
  ])('answers what soap answers for %s', async (_case, xml) => {
    // Arrange
    const { soap, ours } = await parserOf();

    // Act / Assess
    expect(ours(xml)).toEqual(soap(xml));
  });

  it.each([
    ['a Body with content', envelope('<env:Body><x:Number xmlns:x="d"/></env:Body>')],
    ['a fault', envelope(FAULT)],
  ])('leaves %s to soap', async (_case, xml) => {
    // Arrange
    const { soap, ours } = await parserOf();

    // Act
    const read = (parse: (xml: string) => unknown) => {
      try {
        return { value: parse(xml) };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };

    // Assess
    expect(read(ours)).toEqual(read(soap));
    expect(read(ours)).not.toEqual({ value: { Body: null } });
  });
});
