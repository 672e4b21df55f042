/**
 * Queued fault rules: validation (the control API takes them as JSON, so they arrive unchecked)
 * and first-match-wins consumption.
 */

import type { Fault, FaultCode, FaultRule, Operation } from './callfire-sandbox-types';
import { OPERATIONS } from './callfire-xml-names';

const FAULT_CODES: readonly FaultCode[] = [
  'BAD_REQUEST',
  'FORBIDDEN',
  'NOT_FOUND',
  'UNAVAILABLE',
  'TIMEOUT',
  'NOT_IMPLEMENTED',
];
/** Longest accepted delay: anything longer is a typo, and "hang" exists for never answering. */
const MAX_DELAY_MS = 10 * 60_000;

/** What a request is, as far as fault rules care. */
export interface FaultTarget {
  operation: Operation;
  number?: string;
  keyword?: string;
}

/** A validated rule; `times` counts down as requests match it. */
export type QueuedFaultRule = FaultRule & { times: number };

/** Thrown for a rule that cannot be right; the message says which field and why. */
export class InvalidFaultRuleError extends TypeError {
  override readonly name = 'InvalidFaultRuleError';
}

/**
 * Checks an untrusted rule and returns a clean copy. `times` may be a positive integer, `Infinity`,
 * or (JSON has no Infinity) the string `"Infinity"`; absent means 1.
 *
 * @throws {InvalidFaultRuleError}
 */
export function parseFaultRule(value: unknown): QueuedFaultRule {
  if (!isRecord(value)) throw new InvalidFaultRuleError('a fault rule must be a JSON object');
  const rule: QueuedFaultRule = {
    fault: parseFault(value.fault),
    times: parseTimes(value.times),
  };
  if (value.operation !== undefined) {
    const operation = OPERATIONS.find((name) => name === value.operation);
    if (operation === undefined) {
      throw new InvalidFaultRuleError(`operation must be one of ${OPERATIONS.join(', ')}`);
    }
    rule.operation = operation;
  }
  if (value.target !== undefined) {
    if (typeof value.target !== 'string' || value.target === '') {
      throw new InvalidFaultRuleError('target must be a non-empty string (a Number or a Keyword)');
    }
    rule.target = value.target;
  }
  return rule;
}

function parseFault(value: unknown): Fault {
  if (!isRecord(value)) {
    throw new InvalidFaultRuleError(
      'fault must be an object with a type: fault, http, delay, reset or hang',
    );
  }
  switch (value.type) {
    case 'fault': {
      const code = FAULT_CODES.find((name) => name === value.code);
      if (code === undefined) {
        throw new InvalidFaultRuleError(`fault.code must be one of ${FAULT_CODES.join(', ')}`);
      }
      if (value.message !== undefined && typeof value.message !== 'string') {
        throw new InvalidFaultRuleError('fault.message must be a string');
      }
      return value.message === undefined
        ? { type: 'fault', code }
        : { type: 'fault', code, message: value.message };
    }
    case 'http': {
      const { status, body, contentType, headers } = value;
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
        throw new InvalidFaultRuleError('fault.status must be an HTTP status from 200 to 599');
      }
      const fault: Fault = { type: 'http', status };
      if (body !== undefined) {
        if (typeof body !== 'string') {
          throw new InvalidFaultRuleError('fault.body must be a string');
        }
        fault.body = body;
      }
      if (contentType !== undefined) {
        if (typeof contentType !== 'string' || contentType === '') {
          throw new InvalidFaultRuleError('fault.contentType must be a non-empty string');
        }
        fault.contentType = contentType;
      }
      if (headers !== undefined) {
        if (!isRecord(headers) || !Object.values(headers).every((v) => typeof v === 'string')) {
          throw new InvalidFaultRuleError('fault.headers must map header names to strings');
        }
        fault.headers = { ...(headers as Record<string, string>) };
      }
      return fault;
    }
    case 'delay': {
      const { ms } = value;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY_MS) {
        throw new InvalidFaultRuleError(`fault.ms must be a number from 0 to ${MAX_DELAY_MS}`);
      }
      return { type: 'delay', ms };
    }
    case 'reset':
      return { type: 'reset' };
    case 'hang':
      return { type: 'hang' };
    default:
      throw new InvalidFaultRuleError('fault.type must be one of fault, http, delay, reset, hang');
  }
}

function parseTimes(value: unknown): number {
  if (value === undefined) return 1;
  if (value === Number.POSITIVE_INFINITY || value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw new InvalidFaultRuleError('times must be a positive integer or "Infinity"');
}

/** The queued rules of one sandbox. */
export class FaultRules {
  readonly #rules: Array<QueuedFaultRule> = [];

  /** Validates and queues a rule. @throws {InvalidFaultRuleError} */
  add(rule: unknown): void {
    this.#rules.push(parseFaultRule(rule));
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** Copies of the queued rules, `times` being what is left. */
  pending(): FaultRule[] {
    return this.#rules.map((rule) => structuredClone(rule));
  }

  /** The fault for this request, if a rule matches; uses up one of that rule's `times`. */
  take(request: FaultTarget): Fault | undefined {
    const index = this.#rules.findIndex((rule) => matches(rule, request));
    const rule = this.#rules[index];
    if (rule === undefined) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) this.#rules.splice(index, 1);
    return rule.fault;
  }
}

function matches(rule: FaultRule, request: FaultTarget): boolean {
  if (rule.operation !== undefined && rule.operation !== request.operation) return false;
  if (rule.target === undefined) return true;
  return (
    rule.target === request.number ||
    (request.keyword !== undefined && rule.target.toLowerCase() === request.keyword.toLowerCase())
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
