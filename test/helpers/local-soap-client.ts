/**
 * The real `soap` client, built from the function's own WSDL, for testing the local CallFire
 * sandbox; plus the small pieces the sandbox tests share (Basic auth, a raw SOAP poster, a fault
 * reader). `soap` types every operation as `any`: this module is where that stops.
 */

import { DOMParser } from '@xmldom/xmldom';
import * as soap from 'soap';
import { NAMESPACES } from '../../functions/release/callfire/contract';
import { NUMBER_SERVICE_WSDL } from '../../functions/release/callfire/number-service-wsdl';

/** What `client.<Operation>Async` resolves to: result, raw response body, SOAP header, raw request. */
export type SoapCallResult = [
  result: unknown,
  rawResponse: unknown,
  soapHeader: unknown,
  rawRequest: string,
];

/** Per-call options, handed to axios (`signal`, `timeout`). */
export interface SoapCallOptions {
  signal?: AbortSignal;
  timeout?: number;
}

/** The NumberService operations, typed just enough for tests. */
export interface NumberServiceClient {
  ReleaseAsync(
    args: { Number: string; Keyword?: string },
    options?: SoapCallOptions,
    extraHeaders?: Record<string, string>,
  ): Promise<SoapCallResult>;
  GetNumberAsync(
    args: { Number: string },
    options?: SoapCallOptions,
    extraHeaders?: Record<string, string>,
  ): Promise<SoapCallResult>;
  QueryKeywordsAsync(
    args: { MaxResults?: number; FirstResult?: number },
    options?: SoapCallOptions,
    extraHeaders?: Record<string, string>,
  ): Promise<SoapCallResult>;
}

/**
 * A client as the function builds one: SOAP 1.2 headers forced. With `soap12: false` it is what a
 * client that forgot `forceSoap12Headers` sends (SOAP 1.1); that one bypasses soap's WSDL cache,
 * whose options would otherwise leak between the two kinds.
 */
export async function createNumberServiceClient(
  endpoint: string,
  { soap12 = true }: { soap12?: boolean } = {},
): Promise<NumberServiceClient> {
  const client = soap12
    ? await soap.createClientAsync(NUMBER_SERVICE_WSDL, { forceSoap12Headers: true, endpoint })
    : await soap.createClientAsync(NUMBER_SERVICE_WSDL, { endpoint, disableCache: true });
  return client as unknown as NumberServiceClient;
}

/** An `Authorization: Basic ...` header object. */
export function basicAuth(credentials: { username: string; password: string }): {
  Authorization: string;
} {
  const token = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return { Authorization: `Basic ${token}` };
}

/** A rejection of a soap call, as the fields tests read. */
export interface SoapRejection {
  isError: boolean;
  message?: string;
  code?: string;
  status?: number;
  headers?: Record<string, string>;
  faultCode?: string;
  faultValue?: string;
  faultMessage?: string;
  reason?: string;
  /** Set when soap rejects with its plain `{ Fault }` object (non-XML bodies). */
  plainFault?: { faultstring?: string };
}

/** Runs a call that must fail and returns the parts of its rejection tests look at. */
export async function rejectionOf(call: Promise<unknown>): Promise<SoapRejection> {
  try {
    await call;
  } catch (error: unknown) {
    // soap rejects with Errors, AxiosErrors, and (for non-XML bodies) plain objects.
    const e = error as {
      message?: string;
      code?: string;
      response?: { status?: number; headers?: Record<string, string> };
      root?: {
        Envelope?: {
          Body?: {
            Fault?: {
              Code?: { Value?: string };
              Reason?: { Text?: { $value?: string } | string };
              Detail?: { ServiceFaultInfo?: { FaultCode?: string; Message?: string } };
            };
          };
        };
      };
      Fault?: { faultstring?: string };
    };
    const fault = e.root?.Envelope?.Body?.Fault;
    const text = fault?.Reason?.Text;
    const rejection: SoapRejection = { isError: error instanceof Error };
    if (e.message !== undefined) rejection.message = e.message;
    if (e.code !== undefined) rejection.code = e.code;
    if (e.response?.status !== undefined) rejection.status = e.response.status;
    if (e.response?.headers !== undefined) rejection.headers = e.response.headers;
    if (fault?.Code?.Value !== undefined) rejection.faultValue = fault.Code.Value;
    const info = fault?.Detail?.ServiceFaultInfo;
    if (info?.FaultCode !== undefined) rejection.faultCode = info.FaultCode;
    if (info?.Message !== undefined) rejection.faultMessage = info.Message;
    const reason = typeof text === 'string' ? text : text?.$value;
    if (reason !== undefined) rejection.reason = reason;
    if (e.Fault !== undefined) rejection.plainFault = e.Fault;
    return rejection;
  }
  throw new Error('expected the call to be rejected, but it resolved');
}

/** The parts of a SOAP 1.2 fault answer, read namespace-aware. */
export interface ParsedFault {
  value: string | undefined;
  reason: string | undefined;
  faultCode: string | undefined;
  message: string | undefined;
}

/** Reads a SOAP 1.2 fault envelope; fields are undefined when absent. */
export function parseFault(xml: string): ParsedFault {
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const text = (namespace: string, name: string) =>
    document.getElementsByTagNameNS(namespace, name).item(0)?.textContent ?? undefined;
  return {
    value: text(NAMESPACES.soap12Envelope, 'Value'),
    reason: text(NAMESPACES.soap12Envelope, 'Text'),
    faultCode: text(NAMESPACES.service, 'FaultCode'),
    message: text(NAMESPACES.service, 'Message'),
  };
}
