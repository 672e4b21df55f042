/** Namespaces and SOAP actions of CallFire API 1.1's NumberService (see API-FACTS.md). */

import type { Operation } from './callfire-sandbox-types';

export const SOAP12_ENVELOPE_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const SOAP11_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
/** Request, response and fault elements (prefix `svc`). */
export const SERVICE_NS = 'http://api.callfire.com/service/xsd';
/** Data elements such as `data:Number` and `data:Keyword` (prefix `data`). */
export const DATA_NS = 'http://api.callfire.com/data';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** soapAction of operation X is this prefix followed by X. */
export const SOAP_ACTION_PREFIX = 'http://api.callfire.com/service/wsdl/NumberServicePortType/';

/** The operations the sandbox implements, in WSDL order. */
export const OPERATIONS: readonly Operation[] = ['Release', 'GetNumber', 'QueryKeywords'];

/** The operation a soapAction names, if the sandbox implements it. */
export function operationOfAction(action: string | undefined): Operation | undefined {
  if (action === undefined || !action.startsWith(SOAP_ACTION_PREFIX)) return undefined;
  const name = action.slice(SOAP_ACTION_PREFIX.length);
  return OPERATIONS.find((operation) => operation === name);
}

/** The soapAction of an operation. */
export function soapActionOf(operation: Operation): string {
  return `${SOAP_ACTION_PREFIX}${operation}`;
}
