/**
 * Per-release CPU child (figure 2; method in bench/README.md): the modes of BENCH_MODES in
 * interleaved rounds, 8 releases in flight. The servers run in another process, so
 * process.cpuUsage() here counts only the client side of each release.
 *
 * env: BENCH_MODES (handler,raw,soap), BENCH_BUNDLE, BENCH_ROUNDS (10), BENCH_PER_ROUND (500, a multiple of 100),
 *      BENCH_WARMUP_ROUNDS (6: every mode warmed alike, alternating, 3,000 releases each by
 *      default, before anything is measured: V8 keeps compiling a path for the first thousands of
 *      calls), BENCH_USERNAME, BENCH_PASSWORD, and the function's own variables.
 * Prints BENCH:{"rounds": [{mode, round, releases, userUs, systemUs, wallMs}], "memory"}.
 */

import http from 'node:http';
import { createRequire } from 'node:module';
import { NUMBER_SERVICE_WSDL } from '../../functions/release/callfire/number-service-wsdl';
import {
  AGENT_OPTIONS,
  basicAuthorization,
  benchContext,
  bulkNumbers,
  CPU_MODES,
  type CpuMode,
  createRawRelease,
  expectReleased,
  loadHandler,
  report,
  run,
  withConcurrency,
} from './common';

type Runner = (count: number) => Promise<void>;

const CONCURRENCY = 8;

const env = process.env;
const rounds = Number(env.BENCH_ROUNDS ?? 10);
const perRound = Number(env.BENCH_PER_ROUND ?? 500);
const warmupRounds = Number(env.BENCH_WARMUP_ROUNDS ?? 6);
const numbers = bulkNumbers(200);
// The modes this process runs (BENCH_MODES, comma-separated; all by default). The figure runs the
// ratio's two (handler, raw) in one process and the soap context in another, so that one mode's
// garbage is never collected in another's rounds.
const modes = (env.BENCH_MODES?.split(',') ?? [...CPU_MODES]).filter((mode): mode is CpuMode =>
  (CPU_MODES as readonly string[]).includes(mode),
);

function createRaw(): Runner {
  const release = createRawRelease();
  return (count) =>
    withConcurrency(count, CONCURRENCY, (index) => release(numbers[index % numbers.length] ?? ''));
}

async function createSoap(): Promise<Runner> {
  // From node_modules at run time, not bundled: this mode measures the package as published.
  const soap = createRequire(import.meta.url)('soap') as typeof import('soap');
  const client = await soap.createClientAsync(NUMBER_SERVICE_WSDL, {
    forceSoap12Headers: true,
    endpoint: env.CALLFIRE_SOAP_ENDPOINT ?? '',
    disableCache: true,
  });
  const transport = {
    httpAgent: new http.Agent(AGENT_OPTIONS),
    httpsAgent: new http.Agent(AGENT_OPTIONS),
  };
  const authorization = basicAuthorization();
  const release = (number: string): Promise<unknown> =>
    client.ReleaseAsync(
      { Number: number },
      { ...transport, signal: AbortSignal.timeout(10_000) },
      { Authorization: authorization },
    );
  return (count) =>
    withConcurrency(count, CONCURRENCY, (index) => release(numbers[index % numbers.length] ?? ''));
}

function createHandlerMode(): Runner {
  const handler = loadHandler();
  const blocks = [numbers.slice(0, 100), numbers.slice(100, 200)];
  let turn = 0;
  return async (count) => {
    for (let done = 0; done < count; done += 100) {
      const batch = blocks[turn++ % blocks.length];
      expectReleased(await handler({ numbers: batch }, benchContext()), 100);
    }
  };
}

run(async () => {
  const create: Record<CpuMode, () => Runner | Promise<Runner>> = {
    handler: createHandlerMode,
    raw: createRaw,
    soap: createSoap,
  };
  const runners: Partial<Record<CpuMode, Runner>> = {};
  for (const mode of modes) runners[mode] = await create[mode]();
  const runnerOf = (mode: CpuMode): Runner => {
    const runner = runners[mode];
    if (!runner) throw new Error(`mode ${mode} is not running`);
    return runner;
  };
  for (let round = 0; round < warmupRounds; round++) {
    for (const mode of modes) await runnerOf(mode)(perRound);
  }

  const results = [];
  for (let round = 0; round < rounds; round++) {
    const order = modes.map((_, index) => modes[(index + round) % modes.length] ?? 'handler');
    for (const mode of order) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await runnerOf(mode)(perRound);
      const wallMs = performance.now() - started;
      const { user, system } = process.cpuUsage(cpu);
      results.push({ mode, round, releases: perRound, userUs: user, systemUs: system, wallMs });
    }
  }
  report({ rounds: results, memory: process.memoryUsage() });
});
