/**
 * SOAP 1.2 as a strict NumberService server speaks it. Requests: Content-Type and action, a
 * namespace-aware parse of the envelope, then the operation's element against its declared
 * sequence, each refusal naming the problem. Answers: envelopes, `svc:ServiceFaultInfo` faults and
 * the HTML pages of the web server in front, every echoed value escaped. It shares contract.ts's
 * facts with the client, never its code: no `soap` package, which accepts what it sends itself.
 */

import type { IncomingHttpHeaders } from 'node:http';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { parse as parseContentType } from 'content-type';
import * as contract from '../functions/release/callfire/contract';

const { NAMESPACES: NS, OPERATIONS, PHONE_NUMBER_PATTERN, SOAP12_MEDIA_TYPE } = contract;

/** The simple types of request elements: the check each implies, and how a refusal names it. */
const SIMPLE_TYPES = {
  PhoneNumber: { test: (text: string) => PHONE_NUMBER_PATTERN.test(text), is: 'a PhoneNumber' },
  /** xs:long as paging uses it: non-negative, after xs:long's whitespace collapse. */
  long: { test: (text: string) => /^\+?[0-9]{1,15}$/.test(text.trim()), is: 'a whole number' },
  /** A keyword: not empty; control characters are forbidden in XML 1.0, even as `&#1;`. */
  string: { test: (text: string) => /^\P{Cc}+$/u.test(text), is: 'a non-empty string' },
} as const;

/**
 * An operation's xs:sequence, in order: element name to simple type; a `?` after the name marks
 * an optional element (minOccurs 0). None may occur twice.
 * @example { Number: 'PhoneNumber', 'Keyword?': 'string' }
 */
export type Sequence = Readonly<Record<string, keyof typeof SIMPLE_TYPES>>;

/** A request that passed every check: its operation and the text of each element present. */
export interface SoapRequest {
  operation: contract.Operation;
  values: Partial<Record<string, string>>;
}

/** A request a real server answers with a BAD_REQUEST fault; the message says why. */
export class BadSoapRequestError extends Error {
  override readonly name = 'BadSoapRequestError';
}

function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new BadSoapRequestError(message);
}

/** A DTD can only stand in the prolog, after the XML declaration, comments and PIs. */
const DOCTYPE = /^\uFEFF?\s*(<\?xml[^>]*\?>)?(\s|<!--[\s\S]*?-->|<\?[\s\S]*?\?>)*<!DOCTYPE/i;

/**
 * Validates a request against each operation's `sequences` and returns its values.
 * @throws {BadSoapRequestError} for anything a real server refuses with BAD_REQUEST.
 */
export function readSoapRequest(
  headers: IncomingHttpHeaders,
  xml: string,
  sequences: Record<contract.Operation, Sequence>,
): SoapRequest {
  const { type, parameters } = parseContentType(headers['content-type'] ?? '');
  ensure(type !== 'text/xml', 'SOAP 1.1 request (text/xml) refused: this endpoint is SOAP 1.2');
  ensure(type === SOAP12_MEDIA_TYPE, `Content-Type ${type} refused: send ${SOAP12_MEDIA_TYPE}`);
  const charset = parameters.charset ?? 'utf-8';
  ensure(charset.toLowerCase() === 'utf-8', `charset ${charset} refused: send utf-8`);
  ensure(parameters.action !== undefined, 'Content-Type has no action parameter');
  const operation = operationOfHeaders(headers);
  ensure(operation, `unknown action ${parameters.action}`);
  const element = bodyElement(xml);
  ensure(element.namespaceURI === NS.service, `${nameOf(element)} is not in ${NS.service}`);
  const name = element.localName;
  ensure(name === operation, `action names ${operation} but the Body holds ${name}`);
  return { operation, values: readSequence(element, sequences[operation]) };
}

/** The operation an action names: SOAP 1.2's Content-Type parameter, or SOAP 1.1's header. */
export function operationOfHeaders(headers: IncomingHttpHeaders): contract.Operation | undefined {
  const soap11 = `${headers.soapaction ?? ''}`.replace(/^"(.*)"$/, '$1');
  const action = parseContentType(headers['content-type'] ?? '').parameters.action ?? soap11;
  return OPERATIONS.find((operation) => contract.soapActionOf(operation) === action);
}

/** Envelope = Header? Body, and the Body holds exactly one element (document/literal). */
function bodyElement(xml: string): Element {
  // SOAP 1.2 Part 1, section 5: no DTD. Checked before parsing, which would fail on its entities.
  ensure(!DOCTYPE.test(xml), 'a SOAP message must not contain a document type declaration');
  let problem = '';
  // Warnings too: a lenient parse would accept envelopes a production parser rejects.
  const parser = new DOMParser({
    onError: (_level, message) => {
      problem ||= message.split('\n')[0] ?? message;
      throw new Error(message);
    },
  });
  let envelope: Element | null = null;
  try {
    envelope = parser.parseFromString(xml, 'text/xml').documentElement;
  } catch {}
  ensure(envelope, `malformed XML: ${problem}`);
  ensure(envelope.namespaceURI !== NS.soap11Envelope, 'SOAP 1.1 envelope refused: send SOAP 1.2');
  ensure(isSoap12(envelope, 'Envelope'), `root ${nameOf(envelope)} is not a SOAP 1.2 Envelope`);
  const parts = childElements(envelope);
  const body = isSoap12(parts[0], 'Header') ? parts[1] : parts[0];
  ensure(isSoap12(body, 'Body') && body === parts.at(-1), `Envelope holds ${parts.map(nameOf)}`);
  const [element, extra] = childElements(body);
  ensure(element, 'the SOAP Body is empty');
  ensure(!extra, `the SOAP Body must hold one element, not also ${extra && nameOf(extra)}`);
  return element;
}

/** Checks children against a sequence: known, qualified, at most once, in order, typed. */
function readSequence(parent: Element, sequence: Sequence): SoapRequest['values'] {
  const operation = parent.localName;
  const declared = Object.entries(sequence).map(([key, type]) => ({
    name: key.replace(/\?$/, ''),
    required: !key.endsWith('?'),
    type: SIMPLE_TYPES[type],
  }));
  const values: SoapRequest['values'] = {};
  let next = 0;
  for (const child of childElements(parent)) {
    const name = child.localName ?? '';
    const path = `${operation}/${name}`;
    const index = declared.findIndex((item) => item.name === name);
    ensure(index >= 0, `unexpected element ${nameOf(child)} in ${operation}`);
    // Both CallFire schemas are elementFormDefault="qualified".
    ensure(child.namespaceURI === NS.service, `${path} must be in namespace ${NS.service}`);
    ensure(values[name] === undefined, `${path} may occur at most once`);
    ensure(index >= next, `${path} must come before ${operation}/${declared[next - 1]?.name}`);
    next = index + 1;
    const nil = child.getAttributeNS(NS.xsi, 'nil');
    ensure(nil !== 'true' && nil !== '1', `${path} is not nillable`);
    const [markup] = childElements(child);
    ensure(!markup, `${path} must hold text, not ${markup && nameOf(markup)}`);
    const value = child.textContent ?? '';
    const { type } = declared[index] ?? {};
    ensure(type?.test(value), `${path} ${JSON.stringify(value)} is not ${type?.is}`);
    values[name] = value;
  }
  const missing = declared.find(({ name, required }) => required && values[name] === undefined);
  ensure(!missing, `${operation} requires a ${missing?.name} element`);
  return values;
}

/** Element children; text between them (whitespace, say) is not looked at. */
function childElements(parent: Element): Element[] {
  const nodes = Array.from(parent.childNodes);
  return nodes.filter((node) => node.nodeType === node.ELEMENT_NODE) as Element[];
}

function isSoap12(element: Element | undefined, name: string): element is Element {
  return element?.namespaceURI === NS.soap12Envelope && element.localName === name;
}

function nameOf(element: Element): string {
  return `{${element.namespaceURI ?? ''}}${element.localName}`;
}

/** An HTTP answer ready to send. */
export type HttpAnswer = { status: number; headers: Record<string, string>; body: string };

/** Forbidden in XML 1.0 even escaped: echoed as U+FFFD, or the whole answer would not parse. */
const FORBIDDEN_IN_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Makes a value safe as element text or a quoted attribute value (CR too: parsers drop it). */
function escapeXml(value: string | number | boolean): string {
  return String(value)
    .replace(FORBIDDEN_IN_XML, '\uFFFD')
    .replace(/[&<>"'\r]/g, (character) => `&#${character.charCodeAt(0)};`);
}

type XmlValue = string | number | boolean | undefined;

/** `<prefix:Name>value</prefix:Name>` per field, in order, escaped; absent values are left out. */
export function xmlFields(prefix: string, fields: Record<string, XmlValue>): string {
  let xml = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) xml += `<${prefix}:${name}>${escapeXml(value)}</${prefix}:${name}>`;
  }
  return xml;
}

/** A SOAP 1.2 answer whose Body holds `content` (XML; empty for an operation without output). */
export function soapAnswer(content: string, status = 200): HttpAnswer {
  const envelope = `<env:Envelope xmlns:env="${NS.soap12Envelope}"><env:Body>${content}</env:Body></env:Envelope>`;
  const headers = { 'content-type': `${SOAP12_MEDIA_TYPE}; charset=utf-8` };
  return { status, headers, body: `<?xml version="1.0" encoding="utf-8"?>${envelope}` };
}

/**
 * A Fault with `svc:ServiceFaultInfo`. Transient codes blame the server (Receiver, HTTP 500), the
 * others the request (Sender, HTTP 400), as SOAP 1.2's HTTP binding maps them.
 */
export function serviceFault(code: contract.FaultCode, message: string = code): HttpAnswer {
  const receiver = contract.TRANSIENT_FAULT_CODES.has(code);
  const text = escapeXml(message);
  return soapAnswer(
    `<env:Fault><env:Code><env:Value>env:${receiver ? 'Receiver' : 'Sender'}</env:Value></env:Code>` +
      `<env:Reason><env:Text xml:lang="en">${text}</env:Text></env:Reason>` +
      `<env:Detail><svc:ServiceFaultInfo xmlns:svc="${NS.service}">` +
      `<svc:FaultCode>${code}</svc:FaultCode><svc:Message>${text}</svc:Message>` +
      '</svc:ServiceFaultInfo></env:Detail></env:Fault>',
    receiver ? 500 : 400,
  );
}

/** The small HTML page a web server in front of the API answers with. */
export function htmlPage(status: number, title: string, headers = {}): HttpAnswer {
  const body = `<html><head><title>${status} ${title}</title></head><body><h1>${title}</h1></body></html>\n`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}
