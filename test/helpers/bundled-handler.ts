import { createRequire } from 'node:module';
import path from 'node:path';
import type { Context } from 'aws-lambda';

const require = createRequire(import.meta.url);
export const BUNDLE_PATH = path.resolve(__dirname, '../../dist/release/handler.js');

export const JOBS_BUNDLE_PATH = path.resolve(__dirname, '../../dist/jobs/handler.js');

export type BundledHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Loads a fresh copy of the deployed artifact, `dist/release/handler.js`, as a new Lambda
 * container would: module state (config, soap client, secret cache) starts empty and the
 * environment is read at load. `npm test` builds the bundle before vitest runs.
 */
export function loadBundledHandler(env: Record<string, string | undefined>): BundledHandler {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  delete require.cache[BUNDLE_PATH];
  const module = require(BUNDLE_PATH) as { handler: BundledHandler };
  return module.handler;
}

/**
 * Loads a fresh copy of the job API's artifact, `dist/jobs/handler.js` (its two exports), with
 * the environment given, as a new container would.
 */
export function loadJobsBundle(env: Record<string, string | undefined>): {
  handler: BundledHandler;
  finalize: BundledHandler;
} {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  delete require.cache[JOBS_BUNDLE_PATH];
  return require(JOBS_BUNDLE_PATH) as { handler: BundledHandler; finalize: BundledHandler };
}

/**
 * Collects (and keeps off the test report) everything written to stdout and stderr: where
 * Powertools writes its log lines and EMF metrics.
 */
export function captureOutput(): {
  text(): string;
  lines(): Record<string, unknown>[];
  restore(): void;
  clear(): void;
} {
  const chunks: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap = (chunk: unknown, ...rest: unknown[]): boolean => {
    chunks.push(
      typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'),
    );
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = tap as typeof process.stdout.write;
  process.stderr.write = tap as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => {
      chunks.length = 0;
    },
    restore: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}
