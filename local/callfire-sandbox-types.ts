/**
 * The vocabulary of the CallFire sandbox: account state, injectable faults and the call log.
 * Kept apart from the server so the control API, the fault rules and the tests can share it
 * without pulling in node:http.
 */

/** `data:NumberStatus` of CallFire API 1.1. */
export type NumberStatus = 'PENDING' | 'ACTIVE' | 'RELEASED' | 'UNAVAILABLE';

/** `svc:FaultCode` carried in `svc:ServiceFaultInfo` of a SOAP fault. */
export type FaultCode =
  | 'BAD_REQUEST'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'NOT_IMPLEMENTED';

/** The NumberService operations the sandbox implements. */
export type Operation = 'Release' | 'GetNumber' | 'QueryKeywords';

/** A number leased by the account. Dates are `YYYY-MM-DD` (xs:date). */
export interface SandboxNumber {
  number: string;
  nationalFormat: string;
  tollFree: boolean;
  status: NumberStatus;
  leaseBegin?: string;
  leaseEnd?: string;
  autoRenew: boolean;
}

/** A keyword leased on a short code. Dates are `YYYY-MM-DD` (xs:date). */
export interface SandboxKeyword {
  shortCode: string;
  keyword: string;
  status: NumberStatus;
  leaseBegin?: string;
  leaseEnd?: string;
  autoRenew: boolean;
}

/** Everything the account leases; `Release` flips `autoRenew` to false in place. */
export interface SandboxAccount {
  numbers: SandboxNumber[];
  keywords: SandboxKeyword[];
}

/** What the sandbox does instead of (or before) answering normally. */
export type Fault =
  /** A SOAP 1.2 Fault with `svc:ServiceFaultInfo` in Detail (HTTP 400 or 500 by code). */
  | { type: 'fault'; code: FaultCode; message?: string }
  /**
   * A bare HTTP answer, e.g. 503 text/html from a load balancer, 429, 401, 500 with an empty body.
   * `contentType` defaults to `text/html; charset=utf-8` when there is a body.
   */
  | {
      type: 'http';
      status: number;
      body?: string;
      contentType?: string;
      /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
      headers?: Record<string, string>;
    }
  /** Wait, then answer normally (the operation takes effect on arrival, as on a slow server). */
  | { type: 'delay'; ms: number }
  /** Reset the TCP connection without answering: the client sees ECONNRESET. */
  | { type: 'reset' }
  /** Never answer, until the client aborts or the sandbox closes. */
  | { type: 'hang' };

/** When to inject a fault. Unset filters match everything. */
export interface FaultRule {
  fault: Fault;
  operation?: Operation;
  /** Matches the request's Number exactly, or its Keyword case-insensitively. */
  target?: string;
  /** How many matching requests get the fault: default 1, `Infinity` for always. */
  times?: number;
}

/** One request the sandbox received on its SOAP endpoint. */
export interface SandboxCall {
  /** From the Content-Type `action`; `unknown` when absent, foreign or not a SOAP request. */
  operation: Operation | 'unknown';
  number?: string;
  keyword?: string;
  /** Whether the request carried the sandbox's current Basic credentials. */
  authorized: boolean;
  /** HTTP status of the answer; 0 while pending or when none was sent (reset, hang, client gone). */
  status: number;
  /** Arrival time, epoch milliseconds. */
  at: number;
}

/** A running CallFire NumberService stand-in. */
export interface CallFireSandbox {
  /** The SOAP endpoint, `http://127.0.0.1:<port>/api/1.1/soap12/number`. */
  readonly url: string;
  /** Live state; `Release` mutates it. `reset()` restores it in place, so references stay valid. */
  readonly account: SandboxAccount;
  /** Every request to the SOAP endpoint, in arrival order (control API requests excluded). */
  readonly calls: SandboxCall[];
  /** The only Basic credentials accepted; assign to rotate the password. */
  credentials: { username: string; password: string };
  /** Added before every SOAP answer, in milliseconds. */
  latencyMs: number;
  /** Cap on the page size of QueryKeywords, whatever MaxResults asks for. */
  maxPageSize: number;
  /** Queues a fault; the first matching rule wins and each match uses up one of its `times`. */
  injectFault(rule: FaultRule): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  /** The queued faults with the `times` they have left. */
  pendingFaults(): FaultRule[];
  /** Restores the start-up account, credentials, latency and page size; clears calls and faults. */
  reset(): void;
  /** Stops the server, destroying keep-alive and hanging connections. */
  close(): Promise<void>;
}
