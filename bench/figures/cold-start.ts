/**
 * Figure 1, cold start: fresh `node` processes that load the bundle and answer one HTTP API release
 * (bench/drivers/cold-start.ts), interleaved with `node -e 0` (the floor) and the driver without a
 * bundle (the driver's own cost), in a rotating order.
 */

import { httpApiEvent } from '../../test/fixtures/events';
import { bulkNumbers } from '../drivers/common';
import { driver } from '../lib/drivers';
import { type DriverRun, runNode, type Servers } from '../lib/processes';
import { median, summary } from '../lib/stats';

interface Marks {
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

interface AnswerReport {
  phase: 'answer';
  marks: Marks;
  status: number;
  summary?: { released?: number };
}

/** Where one cold start's time went, in milliseconds; the first five add up to `total`. */
interface ColdPhases {
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
function coldStartEvent(): unknown {
  return httpApiEvent({ body: JSON.stringify({ numbers: bulkNumbers(1) }) });
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

/** Raw samples of interleaved cold starts of the bundle, with the floors. */
interface ColdStartSamples {
  floor: number[];
  driverFloor: number[];
  driverFloorExit: number[];
  phases: ColdPhases[];
  exit: number[];
}

/**
 * Runs `runs` rounds; each round spawns, in an order that rotates every round, `node -e 0`, the
 * driver without a bundle, and the driver with `bundle`.
 */
async function measureColdStarts(
  servers: Servers,
  options: { bundle: string; runs: number; onProgress?: (done: number) => void },
): Promise<ColdStartSamples> {
  const floorEnv = servers.functionEnv();
  const bundleEnv = servers.functionEnv({
    BENCH_BUNDLE: options.bundle,
    BENCH_EVENT: JSON.stringify(coldStartEvent()),
  });
  const samples: ColdStartSamples = {
    floor: [],
    driverFloor: [],
    driverFloorExit: [],
    phases: [],
    exit: [],
  };
  const kinds = ['floor', 'driver', 'bundle'] as const;
  for (let index = 0; index < options.runs; index++) {
    for (let turn = 0; turn < kinds.length; turn++) {
      const kind = kinds[(turn + index) % kinds.length];
      if (kind === 'floor') {
        samples.floor.push((await runNode(['-e', '0'], floorEnv)).exitAtMs);
      } else if (kind === 'driver') {
        const run = await runNode([driver('cold-start')], floorEnv);
        samples.driverFloor.push(run.reportAtMs[0] ?? Number.NaN);
        samples.driverFloorExit.push(run.exitAtMs);
      } else {
        const run = await runNode([driver('cold-start')], bundleEnv);
        const answer = run.reports[0] as AnswerReport | undefined;
        const warm = run.reports[1] as { warmMs: number; status: number } | undefined;
        if (answer?.status !== 200 || answer.summary?.released !== 1 || warm?.status !== 200) {
          throw new Error(
            `cold start did not release: ${JSON.stringify(run.reports)}\n${run.stderr}`,
          );
        }
        samples.phases.push(phasesOf(run, answer, warm.warmMs));
        samples.exit.push(run.exitAtMs);
      }
    }
    options.onProgress?.(index + 1);
  }
  return samples;
}

/** Medians of every phase of `phases`. */
function medianPhases(phases: readonly ColdPhases[]): ColdPhases {
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
  const samples = await measureColdStarts(servers, options);
  const { phases, exit } = samples;
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
    secretReads: await checkedSecretReads(servers, options.runs),
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

/**
 * Secrets Manager's count of reads during the runs: one per cold start, so that every figure has
 * the secret read in it (a cached or skipped read would make the cold start look cheaper).
 */
async function checkedSecretReads(servers: Servers, runs: number): Promise<number> {
  const reads = await servers.secretsRequestCount();
  if (reads !== runs) {
    throw new Error(
      `expected one GetSecretValue per cold start (${runs}), Secrets Manager saw ${reads}`,
    );
  }
  return reads;
}
