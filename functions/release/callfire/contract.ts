/**
 * The facts of CallFire API 1.1's NumberService contract (SOAP 1.2, document/literal) that this
 * project depends on, defined once: the function's WSDL and adapter, the local sandbox, the tests
 * and the benchmarks import them from here. Values only, no behaviour: the sandbox may share these
 * facts with the client without sharing any of its code.
 */

/** The production NumberService endpoint (SOAP 1.2 binding). */
export const DEFAULT_CALLFIRE_ENDPOINT = 'https://www.callfire.com/api/1.1/soap12/number';

/** The path of the NumberService endpoint, as on www.callfire.com. */
export const NUMBER_SERVICE_PATH = '/api/1.1/soap12/number';

export const NAMESPACES = {
  soap12Envelope: 'http://www.w3.org/2003/05/soap-envelope',
  soap11Envelope: 'http://schemas.xmlsoap.org/soap/envelope/',
  /** WSDL target namespace (service, port type, binding). */
  wsdl: 'http://api.callfire.com/service/wsdl',
  /** Request, response and fault elements (prefix `svc`). */
  service: 'http://api.callfire.com/service/xsd',
  /** Data elements such as `data:Number` and `data:Keyword` (prefix `data`). */
  data: 'http://api.callfire.com/data',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** The media type of every SOAP 1.2 message; requests add `charset` and `action` parameters. */
export const SOAP12_MEDIA_TYPE = 'application/soap+xml';

/** The NumberService operations this project uses, in WSDL order. */
export const OPERATIONS = ['Release', 'GetNumber', 'QueryKeywords'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The soapAction of operation X is this prefix followed by X. */
export const SOAP_ACTION_PREFIX = `${NAMESPACES.wsdl}/NumberServicePortType/`;

/** @example soapActionOf('Release') // 'http://api.callfire.com/service/wsdl/NumberServicePortType/Release' */
export function soapActionOf(operation: Operation): string {
  return `${SOAP_ACTION_PREFIX}${operation}`;
}

/** `svc:FaultCode`, carried in `svc:ServiceFaultInfo` of every SOAP fault. */
export const FAULT_CODES = [
  'BAD_REQUEST',
  'FORBIDDEN',
  'NOT_FOUND',
  'UNAVAILABLE',
  'TIMEOUT',
  'NOT_IMPLEMENTED',
] as const;
export type FaultCode = (typeof FAULT_CODES)[number];

/** The fault codes that blame the server, not the request: worth trying again. */
export const TRANSIENT_FAULT_CODES: ReadonlySet<FaultCode> = new Set(['UNAVAILABLE', 'TIMEOUT']);

/** `data:NumberStatus`. */
export const NUMBER_STATUSES = ['PENDING', 'ACTIVE', 'RELEASED', 'UNAVAILABLE'] as const;
export type NumberStatus = (typeof NUMBER_STATUSES)[number];

/** `data:NumberFeature`: the state of a number's call or text feature (`NumberConfiguration`). */
export const NUMBER_FEATURES = ['UNSUPPORTED', 'PENDING', 'DISABLED', 'ENABLED'] as const;
export type NumberFeature = (typeof NUMBER_FEATURES)[number];

/**
 * `data:InboundCallConfigurationType`: what answers the number's inbound calls. `IVR` runs an
 * interactive voice response; `TRACKING` forwards calls to another phone (call tracking).
 */
export const INBOUND_CALL_CONFIGURATION_TYPES = ['IVR', 'TRACKING'] as const;
export type InboundCallConfigurationType = (typeof INBOUND_CALL_CONFIGURATION_TYPES)[number];

/** `data:PhoneNumber`: the pattern applies to the whole value (XSD patterns are anchored). */
export const PHONE_NUMBER_PATTERN = /^(([a-zA-Z_]+)|(\+?[0-9]+))$/;

/** QueryKeywords' and QueryNumbers' page size: CallFire's default and maximum `MaxResults`. */
export const MAX_PAGE_SIZE = 1_000;
