/**
 * Reads a NumberService request the way a strict SOAP 1.2 server does: Content-Type and action
 * first, then a namespace-aware parse of the envelope, then the operation's element against the
 * CallFire schema. Anything a real server would refuse is refused here too, with a message naming
 * what is wrong, so that a client bug shows up against the sandbox and not in production.
 */

import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import type { Operation } from './callfire-sandbox-types';
import {
  operationOfAction,
  SERVICE_NS,
  SOAP_ACTION_PREFIX,
  SOAP11_ENVELOPE_NS,
  SOAP12_ENVELOPE_NS,
  XSI_NS,
} from './callfire-xml-names';
import { parseMediaType } from './media-type';

/** A request that passed every check, reduced to the values the sandbox acts on. */
export type CallFireRequest =
  | { operation: 'Release'; number: string; keyword?: string }
  | { operation: 'GetNumber'; number: string }
  | { operation: 'QueryKeywords'; maxResults?: number; firstResult?: number };

/** A request a real server would answer with a BAD_REQUEST fault; `message` says why. */
export class BadSoapRequestError extends Error {
  override readonly name = 'BadSoapRequestError';
}

/** `data:PhoneNumber`: the pattern applies to the whole value (XSD patterns are anchored). */
const PHONE_NUMBER = /^(([a-zA-Z_]+)|(\+?[0-9]+))$/;
/** A document type declaration can only stand in the prolog: after the XML declaration/comments. */
const DOCTYPE_IN_PROLOG =
  /^\uFEFF?\s*(<\?xml[^>]*\?>)?(\s|<!--[\s\S]*?-->|<\?[\s\S]*?\?>)*<!DOCTYPE/i;
/** xs:long lexical form, after the whitespace collapse xs:long applies. */
const XS_LONG = /^[+-]?[0-9]+$/;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;
const COMMENT_NODE = 8;

/**
 * The operation a request is for, without validating anything: for the call log, which records
 * what a request was for even when it is refused. SOAP 1.2 names it in the Content-Type `action`
 * parameter; a SOAP 1.1 request (refused later) in its SOAPAction header.
 */
export function operationOfHeaders(
  contentType: string | undefined,
  soapActionHeader: string | undefined,
): Operation | undefined {
  return (
    operationOfAction(parseMediaType(contentType)?.parameters.get('action')) ??
    operationOfAction(soapActionHeader?.trim().replace(/^"(.*)"$/, '$1'))
  );
}

/**
 * Validates a request and extracts its values.
 *
 * @throws {BadSoapRequestError} for anything a real server would refuse with BAD_REQUEST.
 */
export function parseCallFireRequest(
  contentType: string | undefined,
  body: string,
): CallFireRequest {
  const action = actionOf(contentType);
  const envelope = parseEnvelope(body);
  const operationElement = singleBodyChild(envelope);

  if (operationElement.namespaceURI !== SERVICE_NS) {
    throw new BadSoapRequestError(
      `Body element ${describe(operationElement)} is not in namespace ${SERVICE_NS}`,
    );
  }
  if (operationElement.localName !== action) {
    throw new BadSoapRequestError(
      `action names ${action} but the Body holds ${operationElement.localName}`,
    );
  }
  switch (action) {
    case 'Release':
      return readRelease(operationElement);
    case 'GetNumber':
      return readGetNumber(operationElement);
    case 'QueryKeywords':
      return readQueryKeywords(operationElement);
  }
}

function actionOf(contentType: string | undefined): Operation {
  const mediaType = parseMediaType(contentType);
  if (mediaType === undefined) {
    throw new BadSoapRequestError(
      `missing or malformed Content-Type ${JSON.stringify(contentType ?? null)}; expected application/soap+xml; charset=utf-8; action="${SOAP_ACTION_PREFIX}<Operation>"`,
    );
  }
  if (mediaType.type === 'text/xml') {
    throw new BadSoapRequestError(
      'SOAP 1.1 request (Content-Type text/xml) refused: this endpoint speaks SOAP 1.2 only (application/soap+xml with an action parameter)',
    );
  }
  if (mediaType.type !== 'application/soap+xml') {
    throw new BadSoapRequestError(
      `Content-Type ${mediaType.type} refused: a SOAP 1.2 request is application/soap+xml`,
    );
  }
  const charset = mediaType.parameters.get('charset')?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8') {
    throw new BadSoapRequestError(`charset ${charset} is not supported; send utf-8`);
  }
  const action = mediaType.parameters.get('action');
  if (action === undefined) {
    throw new BadSoapRequestError(
      'Content-Type has no action parameter; SOAP 1.2 carries the soapAction there',
    );
  }
  const operation = operationOfAction(action);
  if (operation === undefined) {
    throw new BadSoapRequestError(`unknown action ${JSON.stringify(action)}`);
  }
  return operation;
}

function parseEnvelope(body: string): Element {
  if (body.trim() === '') throw new BadSoapRequestError('empty request body');
  // SOAP 1.2 Part 1, section 5: a message must not contain a DTD. Checked before parsing so that
  // the answer names the DTD rather than the entity xmldom then fails to resolve.
  if (DOCTYPE_IN_PROLOG.test(body)) {
    throw new BadSoapRequestError('a SOAP message must not contain a document type declaration');
  }
  let firstProblem: string | undefined;
  let document: ReturnType<DOMParser['parseFromString']>;
  try {
    document = new DOMParser({
      locator: true,
      // Warnings too: a lenient parse would accept envelopes that a production parser rejects.
      onError: (_level, message) => {
        firstProblem ??= message;
        throw new Error(message);
      },
    }).parseFromString(body, 'text/xml');
  } catch (error) {
    const reason = firstProblem ?? (error instanceof Error ? error.message : String(error));
    throw new BadSoapRequestError(`malformed XML: ${reason.split('\n')[0]}`);
  }
  if (document.doctype !== null) {
    throw new BadSoapRequestError('a SOAP message must not contain a document type declaration');
  }
  const root = document.documentElement;
  if (root === null) throw new BadSoapRequestError('malformed XML: no root element');
  if (root.localName !== 'Envelope' || root.namespaceURI === null) {
    throw new BadSoapRequestError(
      `root element ${describe(root)} is not {${SOAP12_ENVELOPE_NS}}Envelope`,
    );
  }
  if (root.namespaceURI === SOAP11_ENVELOPE_NS) {
    throw new BadSoapRequestError(
      'SOAP 1.1 envelope refused: this endpoint speaks SOAP 1.2 only (http://www.w3.org/2003/05/soap-envelope)',
    );
  }
  if (root.namespaceURI !== SOAP12_ENVELOPE_NS) {
    throw new BadSoapRequestError(
      `root element ${describe(root)} is not {${SOAP12_ENVELOPE_NS}}Envelope`,
    );
  }
  return root;
}

/** Envelope = Header? Body; Body = exactly one element for these document/literal operations. */
function singleBodyChild(envelope: Element): Element {
  const parts = elementChildren(envelope);
  const [first, second, ...more] = parts;
  const isEnvelopePart = (element: Element | undefined, name: string) =>
    element?.namespaceURI === SOAP12_ENVELOPE_NS && element.localName === name;

  let body: Element | undefined;
  if (isEnvelopePart(first, 'Header') && isEnvelopePart(second, 'Body') && more.length === 0) {
    // Header blocks are not interpreted: the CallFire API defines none.
    body = second;
  } else if (isEnvelopePart(first, 'Body') && second === undefined) {
    body = first;
  }
  if (body === undefined) {
    throw new BadSoapRequestError(
      `Envelope must hold an optional Header then one Body; found ${parts.map(describe).join(', ') || 'nothing'}`,
    );
  }
  const [operation, extra] = elementChildren(body);
  if (operation === undefined) throw new BadSoapRequestError('the SOAP Body is empty');
  if (extra !== undefined) {
    throw new BadSoapRequestError(
      `the SOAP Body must hold one element; found ${describe(extra)} after ${describe(operation)}`,
    );
  }
  return operation;
}

function readRelease(element: Element): CallFireRequest {
  const children = readSequence(element, [
    { name: 'Number', required: true },
    { name: 'Keyword', required: false },
  ]);
  const number = readPhoneNumber(children.get('Number'), 'Release');
  const keywordElement = children.get('Keyword');
  if (keywordElement === undefined) return { operation: 'Release', number };
  const keyword = readText(keywordElement, 'Release');
  if (keyword === '') throw new BadSoapRequestError('Release/Keyword must not be empty');
  return { operation: 'Release', number, keyword };
}

function readGetNumber(element: Element): CallFireRequest {
  const children = readSequence(element, [{ name: 'Number', required: true }]);
  return { operation: 'GetNumber', number: readPhoneNumber(children.get('Number'), 'GetNumber') };
}

function readQueryKeywords(element: Element): CallFireRequest {
  const children = readSequence(element, [
    { name: 'MaxResults', required: false },
    { name: 'FirstResult', required: false },
  ]);
  const request: CallFireRequest = { operation: 'QueryKeywords' };
  const maxResults = children.get('MaxResults');
  if (maxResults !== undefined) request.maxResults = readCount(maxResults);
  const firstResult = children.get('FirstResult');
  if (firstResult !== undefined) request.firstResult = readCount(firstResult);
  return request;
}

interface SequenceItem {
  name: string;
  required: boolean;
}

/**
 * Checks an xs:sequence of at-most-once svc elements: order, duplicates, foreign or unqualified
 * elements (both schemas are elementFormDefault="qualified"), and required ones.
 */
function readSequence(parent: Element, sequence: SequenceItem[]): Map<string, Element> {
  const operation = parent.localName;
  const found = new Map<string, Element>();
  let position = 0;
  for (const child of elementChildren(parent)) {
    const index = sequence.findIndex((item) => item.name === child.localName);
    const name = sequence[index]?.name;
    if (name === undefined) {
      throw new BadSoapRequestError(`unexpected element ${describe(child)} in ${operation}`);
    }
    if (child.namespaceURI !== SERVICE_NS) {
      throw new BadSoapRequestError(
        `${operation}/${child.localName} must be in namespace ${SERVICE_NS}, not ${child.namespaceURI ?? 'no namespace'}`,
      );
    }
    if (found.has(name)) {
      throw new BadSoapRequestError(`${operation}/${name} may occur at most once`);
    }
    if (index < position) {
      const previous = sequence[position - 1]?.name ?? '';
      throw new BadSoapRequestError(
        `${operation}/${name} must come before ${operation}/${previous}`,
      );
    }
    position = index + 1;
    found.set(name, child);
  }
  for (const item of sequence) {
    if (item.required && !found.has(item.name)) {
      throw new BadSoapRequestError(`${operation} requires a ${item.name} element`);
    }
  }
  return found;
}

function readPhoneNumber(element: Element | undefined, operation: string): string {
  if (element === undefined) throw new BadSoapRequestError(`${operation} requires a Number`);
  const value = readText(element, operation);
  if (!PHONE_NUMBER.test(value)) {
    throw new BadSoapRequestError(
      `${operation}/Number ${JSON.stringify(value)} is not a PhoneNumber (([a-zA-Z_]+)|(\\+?[0-9]+))`,
    );
  }
  return value;
}

/** xs:long restricted to what paging can use: a non-negative safe integer. */
function readCount(element: Element): number {
  const raw = readText(element, 'QueryKeywords');
  const collapsed = raw.trim();
  const value = Number(collapsed);
  if (!XS_LONG.test(collapsed) || !Number.isSafeInteger(value) || value < 0) {
    throw new BadSoapRequestError(
      `QueryKeywords/${element.localName} ${JSON.stringify(raw)} is not a non-negative integer`,
    );
  }
  return value;
}

/** Simple content: text and CDATA only; xsi:nil is refused because no element is nillable. */
function readText(element: Element, operation: string): string {
  const nil = element.getAttributeNS(XSI_NS, 'nil');
  if (nil === 'true' || nil === '1') {
    throw new BadSoapRequestError(`${operation}/${element.localName} is not nillable`);
  }
  let text = '';
  for (const node of childNodes(element)) {
    if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE) {
      text += node.nodeValue ?? '';
    } else if (node.nodeType === ELEMENT_NODE) {
      throw new BadSoapRequestError(
        `${operation}/${element.localName} must hold text, not ${describe(node as Element)}`,
      );
    } else if (node.nodeType === PROCESSING_INSTRUCTION_NODE) {
      throw new BadSoapRequestError('a SOAP message must not contain processing instructions');
    }
  }
  return text;
}

/** Element children; whitespace and comments are skipped, stray text is an error. */
function elementChildren(parent: Element): Element[] {
  const elements: Element[] = [];
  for (const node of childNodes(parent)) {
    if (node.nodeType === ELEMENT_NODE) {
      elements.push(node as Element);
    } else if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE) {
      if ((node.nodeValue ?? '').trim() !== '') {
        throw new BadSoapRequestError(
          `unexpected text ${JSON.stringify((node.nodeValue ?? '').trim().slice(0, 40))} in ${describe(parent)}`,
        );
      }
    } else if (node.nodeType === PROCESSING_INSTRUCTION_NODE) {
      throw new BadSoapRequestError('a SOAP message must not contain processing instructions');
    } else if (node.nodeType !== COMMENT_NODE) {
      throw new BadSoapRequestError(`unexpected node in ${describe(parent)}`);
    }
  }
  return elements;
}

function childNodes(parent: Element): Node[] {
  const nodes: Node[] = [];
  for (let index = 0; index < parent.childNodes.length; index += 1) {
    const node = parent.childNodes.item(index);
    if (node !== null) nodes.push(node);
  }
  return nodes;
}

function describe(element: Element): string {
  return `{${element.namespaceURI ?? ''}}${element.localName}`;
}
