/**
 * What the job adapters read of an AWS SDK error themselves: its name and HTTP status, for the few
 * errors a caller handles (a missing key, an existing execution). Everything else goes through
 * the release function's mapping (functions/release/aws-read-errors.ts `toAwsError`).
 */
import type { SdkError } from '../../release/aws-read-errors';

/** The SDK error's name, for the few a caller handles itself (a missing key, an existing name). */
export function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}

/** The HTTP status of the answer behind an SDK error, if there was one. */
export function httpStatus(error: unknown): number | undefined {
  return (error as SdkError | null)?.$metadata?.httpStatusCode;
}
