/**
 * `npm run bench` (after `npm run build`): the benchmark suite of issue #4, and the bulk job's
 * throughput. Bundles the drivers, starts the servers in their own process, measures the six
 * figures against their floors, prints
 * one table on stdout (progress goes to stderr) and writes everything to bench/results.json. See
 * bench/README.md.
 *
 * env: BENCH_BUNDLE (default dist/release/handler.js), BENCH_COLD_RUNS (21), BENCH_CPU_ROUNDS (10),
 * BENCH_NODE (the node binary of the measured processes; default: this one).
 */

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureBulk } from './figures/bulk';
import { measureBundle } from './figures/bundle';
import { measureColdStart } from './figures/cold-start';
import { measureCpu } from './figures/cpu';
import { measureJob } from './figures/job';
import { LAMBDA_128_FLAGS, measureMemory } from './figures/memory';
import { buildDrivers } from './lib/drivers';
import {
  DEFAULT_BUNDLE,
  LOG_LEVEL,
  nodeBinary,
  ROOT,
  type Servers,
  startServers,
  useNode,
} from './lib/processes';
import { contributorsNote, type Row, renderTable, rowsOf } from './lib/table';

const RESULTS = path.join(ROOT, 'bench/results.json');

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

interface NodeRun {
  node: string;
  nodeBinary: string;
  rows: Row[];
  figures: Record<string, unknown>;
}

/** The five figures measured with the current node, plus the bulk job's. */
async function measureAll(
  servers: Servers,
  bundle: string,
  bundleResult: ReturnType<typeof measureBundle>,
): Promise<{ rows: Row[]; figures: Record<string, unknown> }> {
  const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 21);
  const cpuRounds = Number(process.env.BENCH_CPU_ROUNDS ?? 10);
  progress(`1/5 cold start: ${coldRuns} × (node -e 0, driver alone, bundle) interleaved`);
  const coldStart = await measureColdStart(servers, {
    bundle,
    runs: coldRuns,
    onProgress: (done) => {
      if (done % 5 === 0) progress(`  cold start ${done}/${coldRuns}`);
    },
  });
  progress(`2/5 per-release CPU: ${cpuRounds} interleaved rounds of 500 releases per mode`);
  const cpu = await measureCpu(servers, { bundle, rounds: cpuRounds, perRound: 500 });
  progress('3/5 bulk throughput at RELEASE_CONCURRENCY 1, 4, 8, 16 (sandbox latency 50 ms)');
  const bulk = await measureBulk(servers, {
    bundle,
    concurrencies: [8, 1, 4, 16],
    rawConcurrencies: [8],
  });
  progress('4/5 memory: 50 (+100) requests of 100 items; again with Lambda-like heap flags');
  const memory = await measureMemory(servers, { bundle });
  const memoryLambda = await measureMemory(servers, {
    bundle,
    nodeArgs: LAMBDA_128_FLAGS,
    extraRequests: 0,
  });
  progress('5/5 bulk job: 2,000 numbers through the job API and the local runner (50 ms/call)');
  const job = await measureJob(servers, { bundle });
  const figures = { coldStart, cpu, bulk, memory, memoryLambda, bundle: bundleResult, job };
  return { rows: rowsOf(figures), figures };
}

/**
 * The Node 22 binary of the `node@22` npm package (the nodejs22.x runtime's major), unless
 * BENCH_NODE pins one node, or BENCH_NODE22=0 skips it.
 */
function nodesToMeasure(): string[] {
  if (process.env.BENCH_NODE || process.env.BENCH_NODE22 === '0') return [nodeBinary()];
  const node22 = execFileSync('npx', ['--yes', '-p', 'node@22', 'node', '-p', 'process.execPath'], {
    encoding: 'utf8',
  }).trim();
  return node22 === nodeBinary() ? [node22] : [nodeBinary(), node22];
}

async function main(): Promise<void> {
  const bundle = path.resolve(process.env.BENCH_BUNDLE ?? DEFAULT_BUNDLE);
  const started = Date.now();
  const loadBefore = os.loadavg();
  await buildDrivers();
  const bundleResult = measureBundle(bundle);
  progress(`bundle ${bundle}: ${bundleResult.bytes} bytes`);
  const servers = await startServers();
  progress(`servers up (pid ${servers.info.pid}): ${servers.info.sandboxUrl}`);
  const runs: NodeRun[] = [];
  try {
    for (const binary of nodesToMeasure()) {
      useNode(binary);
      const node = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
      progress(`measuring on Node ${node} (${binary})`);
      runs.push({ node, nodeBinary: binary, ...(await measureAll(servers, bundle, bundleResult)) });
    }
  } finally {
    await servers.stop();
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  for (const run of runs) {
    process.stdout.write(
      `\nNode ${run.node}, as deployed (POWERTOOLS_LOG_LEVEL=${LOG_LEVEL}, metrics on):\n`,
    );
    process.stdout.write(`${renderTable(run.rows)}\n`);
  }
  process.stdout.write(`${contributorsNote(bundleResult)}\n`);
  process.stdout.write(
    `${os.cpus().length} CPUs, load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} at start; ${seconds} s. Details: bench/results.json\n`,
  );
  const environment = {
    platform: `${process.platform} ${os.release()}`,
    cpus: os.cpus().length,
    loadAverageAtStart: loadBefore,
    loadAverageAtEnd: os.loadavg(),
    powertoolsLogLevel: LOG_LEVEL,
    metrics: 'on',
    bundle: path.relative(ROOT, bundle),
  };
  const results = {
    generatedAt: new Date().toISOString(),
    durationSeconds: seconds,
    environment,
    runs,
  };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
