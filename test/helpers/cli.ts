/**
 * The built command line (dist/cli/callfire-release.js, package.json's `bin`) run as a child
 * process, as an operator runs it; and the dev server it talks to in the tests: the bundled
 * function behind the HTTP API stand-in, with the local stand-ins, started in this process as
 * local/start.ts starts them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JOBS_PATH } from '../../functions/jobs/routes';
import { type HttpApiHandler, startHttpApiDevServer } from '../../local/http-api-dev-server';
import { type StandInOptions, startStandIns } from '../../local/stand-ins';
import { loadBundledHandler, loadJobsBundle } from './bundled-handler';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI_PATH = path.join(ROOT, 'dist/cli/callfire-release.js');

/** What a run of the command line printed, and its exit code. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * An environment with nothing of this machine's AWS setup: no credentials or profiles unless
 * given, no instance metadata look-up, no SDK warning about Node 20.
 */
export function cleanEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  };
}

/**
 * Runs `node dist/cli/callfire-release.js ...args` to its end (asynchronously: the servers it
 * talks to run in this process). `input` is written to its stdin.
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fresh temporary folder for a test's files. */
export function scratchDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'callfire-cli-'));
}

/** The dev server (the bundle behind the HTTP API stand-in) on the stand-ins. */
export type DevTarget = Awaited<ReturnType<typeof startDevTarget>>;

/** Starts the stand-ins, loads dist/release/handler.js with their environment, serves it. */
export async function startDevTarget(options: StandInOptions = {}) {
  const standIns = await startStandIns(options);
  const handler = loadBundledHandler({
    ...standIns.env,
    POWERTOOLS_METRICS_DISABLED: 'true',
    // Read at every request: a test can change the protected list in the Parameter Store.
    PROTECTED_ITEMS_TTL_SECONDS: '0',
  });
  // The job API beside it, and the local Step Functions endpoint running jobs with both bundles,
  // as `npm start` serves them.
  const jobs = loadJobsBundle({ ...standIns.env, JOB_MAX_CONCURRENCY: '4' });
  standIns.deployReleaseJob({ release: handler, finalize: jobs.finalize });
  const routes = { [JOBS_PATH]: jobs.handler as HttpApiHandler };
  const server = await startHttpApiDevServer({ handler, routes, port: 0 });
  return {
    url: server.url,
    sandbox: standIns.sandbox,
    standIns,
    close: async () => {
      await server.close();
      await standIns.close();
    },
  };
}
