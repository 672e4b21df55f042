/**
 * The SOAP 1.2 answers a CallFire NumberService server sends: an empty Body for Release,
 * `data:Number` for GetNumber, `svc:KeywordQueryResult` for QueryKeywords, and a Fault carrying
 * `svc:ServiceFaultInfo` for every refusal. Every echoed value goes through {@link escapeXml}.
 */

import type { FaultCode, SandboxKeyword, SandboxNumber } from './callfire-sandbox-types';
import { DATA_NS, SERVICE_NS, SOAP12_ENVELOPE_NS } from './callfire-xml-names';
import { escapeXml } from './xml-escape';

/** Content-Type of every SOAP answer. */
export const SOAP12_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';

/** A ready-to-send SOAP answer. */
export interface SoapAnswer {
  status: number;
  body: string;
}

const DEFAULT_FAULT_MESSAGES: Record<FaultCode, string> = {
  BAD_REQUEST: 'Bad request',
  FORBIDDEN: 'Access to this resource is forbidden',
  NOT_FOUND: 'Resource not found',
  UNAVAILABLE: 'Service temporarily unavailable, try again later',
  TIMEOUT: 'The request timed out on the server',
  NOT_IMPLEMENTED: 'Operation not implemented',
};

/**
 * UNAVAILABLE and TIMEOUT are the server's trouble (SOAP Receiver, HTTP 500, worth retrying); the
 * others blame the request (SOAP Sender, HTTP 400). SOAP 1.2's HTTP binding maps Sender faults to
 * 400 and everything else to 500.
 */
export function isReceiverFault(code: FaultCode): boolean {
  return code === 'UNAVAILABLE' || code === 'TIMEOUT';
}

/** Wraps body content in a SOAP 1.2 envelope. */
export function soapEnvelope(bodyContent: string): string {
  const body = bodyContent === '' ? '<env:Body/>' : `<env:Body>${bodyContent}</env:Body>`;
  return `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="${SOAP12_ENVELOPE_NS}">${body}</env:Envelope>`;
}

/** Release succeeded: an empty Body (the WSDL's ReleaseResponse message has no parts). */
export function emptyAnswer(): SoapAnswer {
  return { status: 200, body: soapEnvelope('') };
}

/** A SOAP 1.2 Fault with `svc:ServiceFaultInfo` in its Detail. */
export function serviceFault(code: FaultCode, message = DEFAULT_FAULT_MESSAGES[code]): SoapAnswer {
  const receiver = isReceiverFault(code);
  const text = escapeXml(message);
  return {
    status: receiver ? 500 : 400,
    body: soapEnvelope(
      '<env:Fault>' +
        `<env:Code><env:Value>${receiver ? 'env:Receiver' : 'env:Sender'}</env:Value></env:Code>` +
        `<env:Reason><env:Text xml:lang="en">${text}</env:Text></env:Reason>` +
        `<env:Detail><svc:ServiceFaultInfo xmlns:svc="${SERVICE_NS}">` +
        `<svc:FaultCode>${code}</svc:FaultCode><svc:Message>${text}</svc:Message>` +
        '</svc:ServiceFaultInfo></env:Detail>' +
        '</env:Fault>',
    ),
  };
}

/** GetNumber's answer: the `data:Number` element. */
export function numberAnswer(number: SandboxNumber): SoapAnswer {
  return {
    status: 200,
    body: soapEnvelope(
      `<data:Number xmlns:data="${DATA_NS}">` +
        `<data:Number>${escapeXml(number.number)}</data:Number>` +
        `<data:NationalFormat>${escapeXml(number.nationalFormat)}</data:NationalFormat>` +
        `<data:TollFree>${number.tollFree}</data:TollFree>` +
        `<data:Status>${number.status}</data:Status>` +
        leaseInfo(number) +
        '</data:Number>',
    ),
  };
}

/** QueryKeywords' answer: the total, then one page of `data:Keyword` elements. */
export function keywordQueryAnswer(totalResults: number, page: SandboxKeyword[]): SoapAnswer {
  const keywords = page
    .map(
      (keyword) =>
        '<data:Keyword>' +
        `<data:ShortCode>${escapeXml(keyword.shortCode)}</data:ShortCode>` +
        `<data:Keyword>${escapeXml(keyword.keyword)}</data:Keyword>` +
        `<data:Status>${keyword.status}</data:Status>` +
        leaseInfo(keyword) +
        '</data:Keyword>',
    )
    .join('');
  return {
    status: 200,
    body: soapEnvelope(
      `<svc:KeywordQueryResult xmlns:svc="${SERVICE_NS}" xmlns:data="${DATA_NS}">` +
        `<svc:TotalResults>${totalResults}</svc:TotalResults>${keywords}` +
        '</svc:KeywordQueryResult>',
    ),
  };
}

/** `data:LeaseInfo`; absent dates are omitted (both are minOccurs="0"). */
function leaseInfo(lease: { leaseBegin?: string; leaseEnd?: string; autoRenew: boolean }): string {
  const begin =
    lease.leaseBegin === undefined
      ? ''
      : `<data:LeaseBegin>${escapeXml(lease.leaseBegin)}</data:LeaseBegin>`;
  const end =
    lease.leaseEnd === undefined
      ? ''
      : `<data:LeaseEnd>${escapeXml(lease.leaseEnd)}</data:LeaseEnd>`;
  return `<data:LeaseInfo>${begin}${end}<data:AutoRenew>${lease.autoRenew}</data:AutoRenew></data:LeaseInfo>`;
}
