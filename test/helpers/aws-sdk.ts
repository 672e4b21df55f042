/** What the suites of the local AWS stand-ins share when driving them with the real AWS SDK. */

import { afterEach } from 'vitest';

/** Dummy credentials: the stand-ins check that requests are signed, not by whom. */
export const DUMMY_CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'y' };

/** The parts of an AWS SDK error (or a network error the SDK passes on) that tests read. */
export type SdkFailure = Error & {
  code?: string;
  $fault?: 'client' | 'server';
  $metadata: { httpStatusCode?: number; attempts?: number };
};

/** The error a call that must fail rejects with. */
export async function failureOf(call: Promise<unknown>): Promise<SdkFailure> {
  try {
    await call;
  } catch (error) {
    return error as SdkFailure;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Restores environment variable `name` after each test of the calling suite. */
export function restoreAfterEach(name: string): void {
  const saved = process.env[name];
  afterEach(() => {
    process.env[name] = saved;
    if (saved === undefined) delete process.env[name];
  });
}
