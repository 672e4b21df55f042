import type { Context } from 'aws-lambda';
import { type HandlerDeps, startInvocation } from './invocation';
import { albTrigger } from './triggers/alb';
import { directTrigger } from './triggers/direct';
import { eventBridgeTrigger } from './triggers/eventbridge';
import { httpTrigger } from './triggers/http';
import { mapBatchTrigger } from './triggers/map-batch';
import { recordsTrigger } from './triggers/records';
import { sqsTrigger } from './triggers/sqs';
import type { Trigger } from './triggers/trigger';

export { SAFETY_MARGIN_MS } from '../lambda/invocation-log';
export type { HandlerDeps, Wiring } from './invocation';
export { HTTP_BUDGET_MS } from './triggers/http-event';

/**
 * The ways in, tried in order; the first that recognises an event serves it. The order matters
 * only where markers overlap: SQS before any other `Records` batch, and the direct invocation
 * (which takes anything) last. A Map batch (`Items` + `BatchInput`) is not a release request, which
 * would refuse those fields.
 */
// biome-ignore lint/suspicious/noExplicitAny: each trigger serves only the events it recognised.
const TRIGGERS: readonly Trigger<any>[] = [
  httpTrigger,
  albTrigger,
  sqsTrigger,
  recordsTrigger,
  eventBridgeTrigger,
  mapBatchTrigger,
  directTrigger,
];

export type ReleaseHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Builds the Lambda handler: each invocation gets its own logger and release core, and the first
 * trigger that recognises the event serves it.
 */
export function createHandler(deps: HandlerDeps): ReleaseHandler {
  return async function handler(event: unknown, context: Context): Promise<unknown> {
    const invocation = startInvocation(deps, context);
    const trigger = TRIGGERS.find((candidate) => candidate.recognise(event)) ?? directTrigger;
    return trigger.serve(event, invocation);
  };
}
