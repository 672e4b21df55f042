import type { Context } from 'aws-lambda';

/** The time an invocation may spend, as an abort signal: its remaining time less `marginMs`. */
export function budgetSignal(context: Context, capMs: number, marginMs: number): AbortSignal {
  const budget = Math.min(capMs, context.getRemainingTimeInMillis() - marginMs);
  return AbortSignal.timeout(Math.max(1, budget));
}
