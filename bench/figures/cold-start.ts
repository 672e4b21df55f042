/**
 * Figure 1, cold start: fresh `node` processes that load the bundle and answer one HTTP API release
 * (bench/drivers/cold-start.mjs), interleaved with `node -e 0` (the floor) and the driver without a
 * bundle (the driver's own cost), in a rotating order.
 */

import path from 'node:path';
import { httpApiEvent } from '../../test/fixtures/events';
import { DRIVERS, type DriverRun, runNode, type Servers } from '../lib/processes';
import { median, summary } from '../lib/stats';

export const DRIVER = path.join(DRIVERS, 'cold-start.mjs');

export interface Marks {
  start: number;
  requireStart: number;
  requireEnd: number;
  clientReady: number;
  invoke: number;
  smStart?: number;
  smEnd?: number;
  soapStart?: number;
  answer: number;
}

export interface AnswerReport {
  phase: 'answer';
  marks: Marks;
  /** Add to a mark × 1000 to get the CLOCK_MONOTONIC µs of --cpu-prof timestamps. */
  hrOffsetUs: number;
  status: number;
  summary?: { released?: number };
}

/** Where one cold start's time went, in milliseconds; the first five add up to `total`. */
export interface ColdPhases {
  total: number;
  /** Spawn until the driver requires the bundle: node's own start, the driver, pipe delivery. */
  processAndDriver: number;
  /** require() of the bundle. */
  moduleLoad: number;
  /** Bundle loaded until its soap client is built (nextTick/promise work started at load). */
  clientCreation: number;
  /** Handler called until its first CallFire request is written: mostly the secret read. */
  secretRead: number;
  /** First CallFire request written until the handler resolves. */
  firstCall: number;
  /** Of secretRead: handler called until the GetSecretValue request is written (SDK, signing). */
  secretBeforeRequest: number;
  /** Of secretRead: GetSecretValue written until its response ended (loopback round trip). */
  secretRoundTrip: number;
  /** Of secretRead: GetSecretValue ended until the CallFire request is written. */
  secretAfterResponse: number;
  /** The same request again in the same process (warm), for contrast. */
  warmInvocation: number;
}

export interface ColdStartResult {
  runs: number;
  /** Medians, ms. */
  median: {
    cold: number;
    floor: number;
    driverFloor: number;
    driverFloorExit: number;
    coldExit: number;
  } & Omit<ColdPhases, 'total'>;
  ratio: number;
  /** Secrets Manager requests received during the runs (one per cold start expected). */
  secretReads: number;
  samples: {
    cold: number[];
    floor: number[];
    driverFloor: number[];
    phases: ColdPhases[];
  };
  spread: Record<string, ReturnType<typeof summary>>;
}

/** The cold start's event: `POST /releases` with one number, payload 2.0 (test/fixtures). */
export function coldStartEvent(): unknown {
  return httpApiEvent({ body: JSON.stringify({ numbers: ['13125550000'] }) });
}

/** Splits one run's marks (child clock) against its spawn-to-answer time (parent clock). */
function phasesOf(run: DriverRun, answer: AnswerReport, warmMs: number): ColdPhases {
  const m = answer.marks;
  const total = run.reportAtMs[0] ?? Number.NaN;
  const soapStart = m.soapStart ?? m.answer;
  const smStart = m.smStart ?? m.invoke;
  const smEnd = m.smEnd ?? smStart;
  return {
    total,
    processAndDriver: total - (m.answer - m.requireStart),
    moduleLoad: m.requireEnd - m.requireStart,
    clientCreation: m.clientReady - m.requireEnd,
    secretRead: soapStart - m.invoke,
    firstCall: m.answer - soapStart,
    secretBeforeRequest: smStart - m.invoke,
    secretRoundTrip: smEnd - smStart,
    secretAfterResponse: soapStart - smEnd,
    warmInvocation: warmMs,
  };
}

/** Raw samples of interleaved cold starts of one or more bundles, with the floors. */
export interface ColdStartSamples {
  floor: number[];
  driverFloor: number[];
  driverFloorExit: number[];
  bundles: Record<string, { phases: ColdPhases[]; exit: number[]; reports: AnswerReport[] }>;
}

/**
 * Runs `runs` rounds; each round spawns, in an order that rotates every round, `node -e 0`, the
 * driver without a bundle, and the driver with each bundle of `bundles` (name to path).
 */
export async function measureColdStarts(
  servers: Servers,
  options: {
    bundles: Record<string, string>;
    runs: number;
    onProgress?: (done: number) => void;
  },
): Promise<ColdStartSamples> {
  const floorEnv = servers.functionEnv();
  const eventJson = JSON.stringify(coldStartEvent());
  const samples: ColdStartSamples = {
    floor: [],
    driverFloor: [],
    driverFloorExit: [],
    bundles: {},
  };
  const kinds = ['(floor)', '(driver)', ...Object.keys(options.bundles)];
  for (const name of Object.keys(options.bundles)) {
    samples.bundles[name] = { phases: [], exit: [], reports: [] };
  }
  for (let index = 0; index < options.runs; index++) {
    for (let turn = 0; turn < kinds.length; turn++) {
      const kind = kinds[(turn + index) % kinds.length] ?? '(floor)';
      if (kind === '(floor)') {
        samples.floor.push((await runNode(['-e', '0'], floorEnv)).exitAtMs);
        continue;
      }
      if (kind === '(driver)') {
        const run = await runNode([DRIVER], floorEnv);
        samples.driverFloor.push(run.reportAtMs[0] ?? Number.NaN);
        samples.driverFloorExit.push(run.exitAtMs);
        continue;
      }
      const bundle = options.bundles[kind] ?? '';
      const run = await runNode(
        [DRIVER],
        servers.functionEnv({ BENCH_BUNDLE: bundle, BENCH_EVENT: eventJson }),
      );
      const answer = run.reports[0] as AnswerReport | undefined;
      const warm = run.reports[1] as { warmMs: number; status: number } | undefined;
      if (answer?.status !== 200 || answer.summary?.released !== 1 || warm?.status !== 200) {
        throw new Error(
          `cold start of ${kind} did not release: ${JSON.stringify(run.reports)}\n${run.stderr}`,
        );
      }
      const target = samples.bundles[kind];
      target?.phases.push(phasesOf(run, answer, warm.warmMs));
      target?.exit.push(run.exitAtMs);
      target?.reports.push(answer);
    }
    options.onProgress?.(index + 1);
  }
  return samples;
}

/** Medians of every phase of `phases`. */
export function medianPhases(phases: readonly ColdPhases[]): ColdPhases {
  const phase = (name: keyof ColdPhases) => median(phases.map((entry) => entry[name]));
  return {
    total: phase('total'),
    processAndDriver: phase('processAndDriver'),
    moduleLoad: phase('moduleLoad'),
    clientCreation: phase('clientCreation'),
    secretRead: phase('secretRead'),
    firstCall: phase('firstCall'),
    secretBeforeRequest: phase('secretBeforeRequest'),
    secretRoundTrip: phase('secretRoundTrip'),
    secretAfterResponse: phase('secretAfterResponse'),
    warmInvocation: phase('warmInvocation'),
  };
}

/** Figure 1 for one bundle. */
export async function measureColdStart(
  servers: Servers,
  options: { bundle: string; runs: number; onProgress?: (done: number) => void },
): Promise<ColdStartResult> {
  await servers.sandbox('POST', 'reset');
  await servers.resetSecretsLog();
  const samples = await measureColdStarts(servers, {
    bundles: { bundle: options.bundle },
    runs: options.runs,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const { phases = [], exit = [] } = samples.bundles.bundle ?? {};
  const cold = phases.map((entry) => entry.total);
  const { total, ...medians } = medianPhases(phases);
  const floorMedian = median(samples.floor);
  return {
    runs: options.runs,
    median: {
      cold: total,
      floor: floorMedian,
      driverFloor: median(samples.driverFloor),
      driverFloorExit: median(samples.driverFloorExit),
      coldExit: median(exit),
      ...medians,
    },
    ratio: total / floorMedian,
    secretReads: await servers.secretsRequestCount(),
    samples: { cold, floor: samples.floor, driverFloor: samples.driverFloor, phases },
    spread: {
      cold: summary(cold),
      floor: summary(samples.floor),
      driverFloor: summary(samples.driverFloor),
      moduleLoad: summary(phases.map((entry) => entry.moduleLoad)),
      clientCreation: summary(phases.map((entry) => entry.clientCreation)),
      secretRead: summary(phases.map((entry) => entry.secretRead)),
      firstCall: summary(phases.map((entry) => entry.firstCall)),
    },
  };
}
