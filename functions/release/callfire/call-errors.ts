import { CallFireError } from '../errors';
import { FAULT_CODES, TRANSIENT_FAULT_CODES } from './contract';
import type { Credentials } from './number-service';

const ABORT_CODES = new Set(['ETIMEDOUT', 'ABORT_ERR']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
/** A Retry-After longer than this is no hint a call within one invocation can follow. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** What the mapping needs to know about the call that failed. */
export interface FailedCall {
  /** Reported in the TIMEOUT message when the call's signal fired. */
  timeoutMs: number;
  /** Redacted from everything CallFire says: its fault text may repeat them. */
  credentials?: Credentials;
}

/**
 * Turns whatever a `soap` call rejected with into a {@link CallFireError}.
 *
 * Through the project's transport (soap-transport.ts) a call rejects with: an Error whose `root`
 * holds the parsed SOAP 1.2 Fault (soap), the transport's `ERR_NOT_SOAP` error with the status,
 * headers and what was wrong, Node's network errors (`ECONNRESET`...), or an `AbortError` when the
 * call's signal fired; the last two say whether the request had been written out (`requestSent`).
 * Raw errors may carry the request, so only the fields read here ever leave this function.
 */
export function toCallFireError(raw: unknown, call: FailedCall): CallFireError {
  if (raw instanceof CallFireError) return raw;
  const error = (typeof raw === 'object' && raw !== null ? raw : {}) as RawSoapError;
  const retryAfterMs = retryAfterOf(error.response?.headers?.['retry-after']);
  const faultInfo = error.root?.Envelope?.Body?.Fault?.Detail?.ServiceFaultInfo;
  const faultCode = FAULT_CODES.find((code) => code === text(faultInfo?.FaultCode));
  if (faultCode) {
    const said = text(faultInfo?.Message) ?? text(error.root?.Envelope?.Body?.Fault?.Reason?.Text);
    const message = said === undefined ? '' : `: ${clip(redact(said, call.credentials))}`;
    return new CallFireError(
      faultCode,
      `CallFire fault ${faultCode}${message}`,
      TRANSIENT_FAULT_CODES.has(faultCode),
      { retryAfterMs },
    );
  }
  const status = error.response?.status;
  if (typeof status === 'number' && status > 0) return httpError(status, error, retryAfterMs);
  return connectionError(error, call.timeoutMs);
}

function httpError(status: number, error: RawSoapError, retryAfterMs?: number): CallFireError {
  if (status === 401) {
    return new CallFireError(
      'CREDENTIALS_REJECTED',
      'CallFire rejected the API credentials (HTTP 401)',
      false,
    );
  }
  // The server's trouble, a rate limit, or a redirect (never followed: CallFire's endpoint does
  // not move, so whatever sends one stands between us and CallFire) may pass; anything else was
  // not what CallFire answers, and asking again would get the same.
  const transient = status >= 500 || status === 429 || (status >= 300 && status < 400);
  const what = error.root
    ? 'a SOAP fault without ServiceFaultInfo'
    : typeof error.what === 'string'
      ? error.what
      : 'a non-SOAP answer';
  return new CallFireError(
    'UPSTREAM_HTTP',
    `CallFire answered HTTP ${status} with ${what}`,
    transient,
    {
      retryAfterMs,
    },
  );
}

function connectionError(error: RawSoapError, timeoutMs: number): CallFireError {
  // Sent, then no answer: CallFire may have applied it. The release core looks such items up.
  const uncertain = error.requestSent === true;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if ((code && ABORT_CODES.has(code)) || error.name === 'AbortError') {
    return new CallFireError('TIMEOUT', `CallFire did not answer within ${timeoutMs} ms`, true, {
      uncertain,
    });
  }
  if (code && NETWORK_CODES.has(code)) {
    const when = uncertain ? ' after the request was sent' : '';
    return new CallFireError('NETWORK', `Could not reach CallFire (${code}${when})`, true, {
      uncertain,
    });
  }
  // Anything else is not a shape the transport or `soap` produces; name it without its content.
  const kind = code ?? (typeof error.name === 'string' ? error.name : 'unknown error');
  return new CallFireError('NETWORK', `Unexpected failure calling CallFire (${kind})`, true, {
    uncertain,
  });
}

interface RawSoapError {
  name?: unknown;
  code?: unknown;
  what?: unknown;
  requestSent?: unknown;
  response?: { status?: number; headers?: Record<string, unknown> };
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

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110). Absent, unreadable, in
 * the past or beyond {@link MAX_RETRY_AFTER_MS} (capped): a hint only.
 */
export function retryAfterOf(header: unknown, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * Removes the current API login from text CallFire sent: `username:password`, the password alone,
 * and the Basic token, raw, JSON-escaped and base64. A fault that echoes the request must not put
 * the credentials into an answer or a log line.
 */
export function redact(value: string, credentials: Credentials | undefined): string {
  if (!credentials) return value;
  const login = `${credentials.username}:${credentials.password}`;
  const secrets = [
    login,
    JSON.stringify(login).slice(1, -1),
    Buffer.from(login).toString('base64'),
    credentials.password,
    JSON.stringify(credentials.password).slice(1, -1),
  ]
    .filter((secret) => secret !== '')
    .sort((a, b) => b.length - a.length);
  return secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), value);
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
