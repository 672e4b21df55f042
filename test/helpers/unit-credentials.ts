/**
 * A fake of the release core's credentials port ({@link CredentialsSource}) that keeps the port's
 * contract the way the Secrets Manager adapter does: concurrent refreshes of the same rejected
 * credentials share one read of the secret, and a caller holding already-replaced credentials gets
 * the current ones without a read. It counts the reads, so a test can see how often the secret
 * would have been fetched.
 */
import type { Credentials } from '../../functions/release/callfire/number-service';
import type { CredentialsSource } from '../../functions/release/credentials/secret-credentials';

export interface FakeCredentialsOptions {
  /** What the secret holds at first. */
  initial?: Credentials;
  /** What a fresh read returns (the secret after a rotation); defaults to `initial`. */
  rotated?: Credentials;
  /** `get()` rejects with this (a missing secret, Secrets Manager down). */
  getError?: Error;
  /** A forced read rejects with this. */
  refreshError?: Error;
  /** Time a read of the secret takes. */
  readDelayMs?: number;
}

export interface FakeCredentials extends CredentialsSource {
  /** Reads of the secret (the first `get()` and every forced read). */
  readonly reads: number;
  readonly getCalls: number;
  /** The credentials each `refresh()` was told CallFire rejected. */
  readonly refreshCalls: Credentials[];
}

export const USER: Credentials = { username: 'release-bot', password: 'initial-password' };
export const ROTATED: Credentials = { username: 'release-bot', password: 'rotated-password' };

export function fakeCredentials(options: FakeCredentialsOptions = {}): FakeCredentials {
  const initial = { ...(options.initial ?? USER) };
  const rotated = { ...(options.rotated ?? initial) };
  let current: Credentials | undefined;
  let refreshing: Promise<Credentials> | undefined;
  let reads = 0;
  let getCalls = 0;
  const refreshCalls: Credentials[] = [];

  async function read(value: Credentials, error: Error | undefined): Promise<Credentials> {
    reads++;
    if (options.readDelayMs)
      await new Promise((resolve) => setTimeout(resolve, options.readDelayMs));
    if (error) throw error;
    // A fresh object per read, as parsing the SecretString again gives.
    current = { ...value };
    return current;
  }

  return {
    get reads() {
      return reads;
    },
    get getCalls() {
      return getCalls;
    },
    refreshCalls,
    async get() {
      getCalls++;
      if (current) return current;
      return read(initial, options.getError);
    },
    refresh(rejected) {
      refreshCalls.push(rejected);
      if (current && current !== rejected) return Promise.resolve(current);
      refreshing ??= read(rotated, options.refreshError).finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}
