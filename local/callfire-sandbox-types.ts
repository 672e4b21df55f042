/**
 * The CallFire sandbox's vocabulary: the account it leases, the faults it injects (schemas: the
 * control API takes them as untrusted JSON) and the log of calls it received.
 */

import { z } from 'zod';
import type {
  InboundCallConfigurationType,
  NumberFeature,
  NumberStatus,
  Operation,
} from '../functions/release/callfire/contract';
import { FAULT_CODES, OPERATIONS } from '../functions/release/callfire/contract';

/** A lease: status, dates (`YYYY-MM-DD`, both optional) and the flag `Release` clears. */
export interface SandboxLease {
  status: NumberStatus;
  leaseBegin?: string;
  leaseEnd?: string;
  autoRenew: boolean;
}

/** A number leased by the account. */
export interface SandboxNumber extends SandboxLease {
  number: string;
  nationalFormat: string;
  tollFree: boolean;
  /** `data:NumberConfiguration`: what answers the number's calls and texts; absent when bare. */
  configuration?: {
    callFeature?: NumberFeature;
    textFeature?: NumberFeature;
    inbound?: InboundCallConfigurationType;
  };
}

/** A keyword leased on a short code. */
export interface SandboxKeyword extends SandboxLease {
  shortCode: string;
  keyword: string;
}

/** What the account leases. A keyword may stand twice on a short code, as in a faulty listing. */
export interface SandboxAccount {
  numbers: SandboxNumber[];
  keywords: SandboxKeyword[];
}

const FAULT = z.discriminatedUnion('type', [
  // A SOAP 1.2 Fault with svc:ServiceFaultInfo: HTTP 500 for UNAVAILABLE and TIMEOUT, else 400.
  z.strictObject({
    type: z.literal('fault'),
    code: z.enum(FAULT_CODES),
    message: z.string().optional(),
  }),
  // A bare HTTP answer; contentType defaults to text/html when there is a body.
  z.strictObject({
    type: z.literal('http'),
    status: z.int().min(200).max(599),
    body: z.string().optional(),
    contentType: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
  // Applied on arrival, answered `ms` later (or never, if the client gave up meanwhile).
  z.strictObject({ type: z.literal('delay'), ms: z.int().min(0).max(600_000) }),
  // A TCP reset (ECONNRESET); with afterApplying, once the operation took effect.
  z.strictObject({ type: z.literal('reset'), afterApplying: z.boolean().optional() }),
  // No answer until the client aborts or the sandbox closes.
  z.strictObject({ type: z.literal('hang') }),
]);

/** A fault rule as the control API takes it; `times` may be `"Infinity"` (JSON has none). */
export const FAULT_RULE = z.strictObject({
  fault: FAULT,
  operation: z.enum(OPERATIONS).optional(),
  target: z.string().min(1).optional(),
  times: z
    .union([z.int().min(1), z.literal('Infinity'), z.custom<number>((value) => value === Infinity)])
    .default(1)
    .transform(Number),
});

/**
 * What the sandbox does instead of, or besides, answering normally: `fault` (SOAP fault),
 * `http` (bare answer), `delay`, `reset` (optionally `afterApplying`) or `hang`.
 */
export type Fault = z.input<typeof FAULT>;

/**
 * When to inject a fault: `operation` and `target` (a Number exactly, or a Keyword in any case)
 * filter, unset matching everything; `times` is 1 when absent, or `Infinity`.
 */
export type FaultRule = z.input<typeof FAULT_RULE>;

/** One request to the SOAP endpoint. */
export interface SandboxCall {
  /** Named by the action (SOAP 1.2) or SOAPAction (1.1); `unknown` when neither names one. */
  operation: Operation | 'unknown';
  number?: string;
  keyword?: string;
  /** Whether it carried the current Basic credentials. */
  authorized: boolean;
  /** HTTP status of the answer; 0 while pending or when none was sent (reset, hang, client gone). */
  status: number;
  /** Arrival, epoch milliseconds. */
  at: number;
}
