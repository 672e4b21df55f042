import { CallFireError } from '../errors';
import { FAULT_CODES, TRANSIENT_FAULT_CODES } from './contract';

const ABORT_CODES = new Set(['ETIMEDOUT', 'ABORT_ERR']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/**
 * Turns whatever a `soap` call rejected with into a {@link CallFireError}.
 *
 * Through the project's transport (soap-transport.ts) a call rejects with: an Error whose `root`
 * holds the parsed SOAP 1.2 Fault (soap), the transport's `ERR_NOT_SOAP` error with only
 * `response.status`, Node's network errors (`ECONNRESET`...), or an `AbortError` when the call's
 * signal fired. Raw errors may carry the request (`soap` keeps it on some of its errors), so only
 * the fields read here ever leave this function.
 */
export function toCallFireError(raw: unknown, timeoutMs: number): CallFireError {
  if (raw instanceof CallFireError) return raw;
  const error = (typeof raw === 'object' && raw !== null ? raw : {}) as RawSoapError;

  const faultInfo = error.root?.Envelope?.Body?.Fault?.Detail?.ServiceFaultInfo;
  const faultCode = FAULT_CODES.find((code) => code === text(faultInfo?.FaultCode));
  if (faultCode) {
    const message =
      text(faultInfo?.Message) ?? text(error.root?.Envelope?.Body?.Fault?.Reason?.Text);
    return new CallFireError(
      faultCode,
      `CallFire fault ${faultCode}${message ? `: ${clip(message)}` : ''}`,
      TRANSIENT_FAULT_CODES.has(faultCode),
    );
  }

  const status = error.response?.status;
  if (status === 401) {
    return new CallFireError(
      'CREDENTIALS_REJECTED',
      'CallFire rejected the API credentials (HTTP 401)',
      false,
    );
  }
  if (typeof status === 'number' && status > 0) {
    // A 2xx without a SOAP envelope came from something between us and CallFire; trying again
    // is harmless and may reach CallFire itself.
    const transient = status === 429 || status >= 500 || status < 300;
    const what = error.root ? 'a SOAP fault without ServiceFaultInfo' : 'a non-SOAP answer';
    return new CallFireError(
      'UPSTREAM_HTTP',
      `CallFire answered HTTP ${status} with ${what}`,
      transient,
    );
  }

  const code = typeof error.code === 'string' ? error.code : undefined;
  if ((code && ABORT_CODES.has(code)) || error.name === 'AbortError') {
    return new CallFireError('TIMEOUT', `CallFire did not answer within ${timeoutMs} ms`, true);
  }
  if (code && NETWORK_CODES.has(code)) {
    return new CallFireError('NETWORK', `Could not reach CallFire (${code})`, true);
  }
  // Anything else is not a shape `soap` documents; name it without echoing its content.
  const kind = code ?? (typeof error.name === 'string' ? error.name : 'unknown error');
  return new CallFireError('NETWORK', `Unexpected failure calling CallFire (${kind})`, true);
}

interface RawSoapError {
  name?: unknown;
  code?: unknown;
  response?: { status?: number };
  root?: {
    Envelope?: {
      Body?: {
        Fault?: {
          Reason?: { Text?: unknown };
          Detail?: { ServiceFaultInfo?: { FaultCode?: unknown; Message?: unknown } };
        };
      };
    };
  };
}

/** `soap` gives element text either as a string or, with attributes, as `{ $value }`. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && '$value' in value) {
    const inner = (value as { $value: unknown }).$value;
    return typeof inner === 'string' ? inner : undefined;
  }
  return undefined;
}

/** CallFire's own text is passed on, but short, printable and without anything that looks like a credential. */
function clip(message: string): string {
  const cleaned = message
    .replace(/basic\s+[a-z0-9+/=]+/gi, 'Basic [redacted]')
    .replace(/[^\x20-\x7e]/g, ' ')
    .trim();
  return cleaned.length > 300 ? `${cleaned.slice(0, 300)}…` : cleaned;
}
