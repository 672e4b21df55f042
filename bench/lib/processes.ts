/**
 * Child processes of the benchmark: the servers process (bench/servers.ts) and the `node` drivers
 * (bench/drivers/*.ts, built by ./drivers.ts) that load the bundle. Drivers report on stdout in
 * lines starting with `BENCH:`; every other line (a log line, a warning) is ignored.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { ServersInfo } from '../servers';

export const ROOT = path.resolve(path.dirname(__filename), '../..');
export const DEFAULT_BUNDLE = path.join(ROOT, 'dist/release/handler.js');

let node = process.env.BENCH_NODE ?? process.execPath;

/**
 * The `node` that runs the drivers and the floors: BENCH_NODE, or the one running the benchmark,
 * until run.ts switches to the Node 22 of `npx -p node@22` (the nodejs22.x runtime's major).
 */
export function nodeBinary(): string {
  return node;
}

export function useNode(binary: string): void {
  node = binary;
}

/** The Powertools log level of every function process: INFO, as deployed (serverless.yml). */
export const LOG_LEVEL = 'INFO';

/** A lean environment, as a Lambda runtime has: no npm_* variables, no NODE_OPTIONS. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The running servers process. */
export interface Servers {
  info: ServersInfo;
  /** The environment a function process needs to reach them (and the driver variables). */
  functionEnv(extra?: Record<string, string>): Record<string, string>;
  /** Sandbox control API: `POST reset`, `PUT latency`, ... */
  sandbox(method: string, route: string, body?: unknown): Promise<unknown>;
  /** Number of requests the local Secrets Manager received since the last `resetSecretsLog`. */
  secretsRequestCount(): Promise<number>;
  resetSecretsLog(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts bench/servers.ts in its own process (`node --import tsx`) and waits for its JSON line. */
export async function startServers(): Promise<Servers> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/servers.ts')], {
    cwd: ROOT,
    env: baseEnv(),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const info = await new Promise<ServersInfo>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline === -1) return;
      child.stdout?.off('data', onData);
      try {
        resolve(JSON.parse(buffered.slice(0, newline)) as ServersInfo);
      } catch (error) {
        reject(error);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`bench servers exited early (code ${code})`)));
  });

  const call = async (url: string, method: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(url, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status}`);
    return response.json();
  };

  return {
    info,
    functionEnv: (extra = {}) => ({
      ...baseEnv(),
      CALLFIRE_SOAP_ENDPOINT: info.sandboxUrl,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: info.secretsEndpoint,
      CALLFIRE_SECRET_ID: info.secretId,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCHLOCAL',
      AWS_SECRET_ACCESS_KEY: 'bench-local-secret',
      AWS_SESSION_TOKEN: 'bench-local-session-token',
      // The deployed settings (serverless.yml): logs at INFO and metrics on, their output read and
      // dropped by the parent, its cost counted in the function's process as on Lambda.
      AWS_LAMBDA_FUNCTION_NAME: 'callfire-release-bench',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      CALLFIRE_TIMEOUT_MS: '10000',
      RELEASE_CONCURRENCY: '8',
      SECRET_CACHE_TTL_SECONDS: '300',
      PROTECTED_ITEMS_PARAMETER: info.protectedItemsParameter,
      PROTECTED_ITEMS_TTL_SECONDS: '60',
      MAX_EVENT_AGE_SECONDS: '86400',
      AWS_ENDPOINT_URL_SSM: info.ssmEndpoint,
      POWERTOOLS_SERVICE_NAME: 'callfire-release',
      POWERTOOLS_METRICS_NAMESPACE: 'CallFireRelease',
      POWERTOOLS_LOG_LEVEL: LOG_LEVEL,
      BENCH_SANDBOX_CONTROL: info.sandboxControl,
      BENCH_USERNAME: info.username,
      BENCH_PASSWORD: info.password,
      ...extra,
    }),
    sandbox: (method, route, body) => call(new URL(route, info.sandboxControl).href, method, body),
    secretsRequestCount: async () =>
      ((await call(`${info.secretsControl}/requests`, 'GET')) as { count: number }).count,
    resetSecretsLog: async () => {
      await call(`${info.secretsControl}/reset`, 'POST');
    },
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** What a driver printed and how long it ran. */
export interface DriverRun {
  /** The `BENCH:` lines, parsed, in order. */
  reports: Array<Record<string, unknown>>;
  /** Milliseconds from spawn to each report line's arrival, in order. */
  reportAtMs: number[];
  /** Milliseconds from spawn to the process's exit. */
  exitAtMs: number;
  stderr: string;
}

/**
 * Runs `node <args>` with `env`, collecting its `BENCH:` lines with their arrival times (measured
 * from just before spawn). Rejects when the process fails.
 */
export function runNode(args: string[], env: Record<string, string>): Promise<DriverRun> {
  return new Promise((resolve, reject) => {
    const reports: Array<Record<string, unknown>> = [];
    const reportAtMs: number[] = [];
    let stdout = '';
    let stderr = '';
    const started = performance.now();
    const child = spawn(node, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      const at = performance.now() - started;
      stdout += chunk.toString('utf8');
      let newline = stdout.indexOf('\n');
      while (newline !== -1) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        if (line.startsWith('BENCH:')) {
          reports.push(JSON.parse(line.slice('BENCH:'.length)) as Record<string, unknown>);
          reportAtMs.push(at);
        }
        newline = stdout.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const exitAtMs = performance.now() - started;
      if (code !== 0) {
        reject(
          new Error(
            `node ${args.join(' ').slice(0, 200)} failed (${signal ?? code}):\n${stderr.slice(-4000)}`,
          ),
        );
        return;
      }
      resolve({ reports, reportAtMs, exitAtMs, stderr });
    });
  });
}

/** The first report of a run, or an error naming the driver. */
export function firstReport<T>(run: DriverRun, what: string): T {
  const [report] = run.reports;
  if (report === undefined) throw new Error(`${what}: no BENCH line\n${run.stderr.slice(-2000)}`);
  return report as T;
}
