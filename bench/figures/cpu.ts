/**
 * Figure 2, per-release CPU: one `node` process (bench/drivers/warm-cpu.mjs) running the warm
 * handler, the raw node:http floor and the `soap` package alone in interleaved rounds.
 */

import path from 'node:path';
import { NUMBER_SERVICE_WSDL } from '../../functions/release/callfire/number-service-wsdl';
import { DRIVERS, firstReport, runNode, type Servers } from '../lib/processes';
import { median, summary } from '../lib/stats';

export type CpuMode = 'handler' | 'raw' | 'soap' | 'soap-noredirect';

interface Round {
  mode: CpuMode;
  round: number;
  releases: number;
  userUs: number;
  systemUs: number;
  wallMs: number;
}

export interface CpuResult {
  rounds: number;
  releasesPerMode: number;
  /** Median over rounds of CPU µs (user + system) per release. */
  usPerRelease: Partial<Record<CpuMode, number>>;
  /** Same, user time only. */
  userUsPerRelease: Partial<Record<CpuMode, number>>;
  ratio: number;
  soapRatio: number;
  spread: Partial<Record<CpuMode, ReturnType<typeof summary>>>;
  samples: Round[];
  /** CLOCK_MONOTONIC µs window of the measured rounds (for a --cpu-prof of the run). */
  window: { fromUs: number; toUs: number };
}

export async function measureCpu(
  servers: Servers,
  options: {
    bundle: string;
    rounds: number;
    perRound: number;
    modes?: CpuMode[];
    nodeArgs?: string[];
    env?: Record<string, string>;
  },
): Promise<CpuResult> {
  const modes = options.modes ?? ['handler', 'raw', 'soap'];
  await servers.sandbox('POST', 'reset');
  const run = await runNode(
    [...(options.nodeArgs ?? []), path.join(DRIVERS, 'warm-cpu.mjs')],
    servers.functionEnv({
      BENCH_BUNDLE: options.bundle,
      BENCH_MODES: modes.join(','),
      BENCH_ROUNDS: String(options.rounds),
      BENCH_PER_ROUND: String(options.perRound),
      BENCH_WSDL: NUMBER_SERVICE_WSDL,
      ...options.env,
    }),
  );
  const { rounds, roundsFromUs, roundsToUs } = firstReport<{
    rounds: Round[];
    roundsFromUs: number;
    roundsToUs: number;
  }>(run, 'warm-cpu driver');
  const perRelease = (mode: CpuMode, user = false) =>
    rounds
      .filter((round) => round.mode === mode)
      .map((round) => (round.userUs + (user ? 0 : round.systemUs)) / round.releases);

  const usPerRelease: Partial<Record<CpuMode, number>> = {};
  const userUsPerRelease: Partial<Record<CpuMode, number>> = {};
  const spread: Partial<Record<CpuMode, ReturnType<typeof summary>>> = {};
  for (const mode of modes) {
    usPerRelease[mode] = median(perRelease(mode));
    userUsPerRelease[mode] = median(perRelease(mode, true));
    spread[mode] = summary(perRelease(mode));
  }
  return {
    rounds: options.rounds,
    releasesPerMode: options.rounds * options.perRound,
    usPerRelease,
    userUsPerRelease,
    ratio: (usPerRelease.handler ?? Number.NaN) / (usPerRelease.raw ?? Number.NaN),
    soapRatio: (usPerRelease.soap ?? Number.NaN) / (usPerRelease.raw ?? Number.NaN),
    spread,
    samples: rounds,
    window: { fromUs: roundsFromUs, toUs: roundsToUs },
  };
}
