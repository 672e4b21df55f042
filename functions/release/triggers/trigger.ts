import type { Invocation } from '../invocation';

/**
 * One way into the function: how to recognise its event, and how to serve it (unwrap the request,
 * call the release core, shape the answer or the error the source expects). app.ts tries the
 * triggers in order; the first that recognises an event serves it.
 */
export interface Trigger<E = unknown> {
  /** Why its marker is enough, in the recogniser's TSDoc. */
  recognise(event: unknown): event is E;
  serve(event: E, invocation: Invocation): Promise<unknown>;
}

/** Narrows a value to a plain object for recognisers, which see arbitrary JSON. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
