/**
 * Figure 2, per-release CPU: one `node` process (bench/drivers/warm-cpu.ts) running the warm
 * handler, the raw node:http floor and the `soap` package alone in interleaved rounds.
 */

import { CPU_MODES, type CpuMode } from '../drivers/common';
import { driver } from '../lib/drivers';
import { firstReport, runNode, type Servers } from '../lib/processes';
import { median, summary } from '../lib/stats';

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
  /** Median of the rounds' handler / raw ratios (both measured in the same round). */
  ratio: number;
  /** The rounds' ratios: min, max and the rest, to show how much they moved. */
  ratioSpread: ReturnType<typeof summary>;
  soapRatio: number;
  spread: Partial<Record<CpuMode, ReturnType<typeof summary>>>;
  samples: Round[];
}

export async function measureCpu(
  servers: Servers,
  options: { bundle: string; rounds: number; perRound: number },
): Promise<CpuResult> {
  await servers.sandbox('POST', 'reset');
  const run = await runNode(
    [driver('warm-cpu')],
    servers.functionEnv({
      BENCH_BUNDLE: options.bundle,
      BENCH_ROUNDS: String(options.rounds),
      BENCH_PER_ROUND: String(options.perRound),
    }),
  );
  const { rounds } = firstReport<{ rounds: Round[] }>(run, 'warm-cpu driver');
  const perRelease = (mode: CpuMode, user = false) =>
    rounds
      .filter((round) => round.mode === mode)
      .map((round) => (round.userUs + (user ? 0 : round.systemUs)) / round.releases);

  const usPerRelease: Partial<Record<CpuMode, number>> = {};
  const userUsPerRelease: Partial<Record<CpuMode, number>> = {};
  const spread: Partial<Record<CpuMode, ReturnType<typeof summary>>> = {};
  for (const mode of CPU_MODES) {
    usPerRelease[mode] = median(perRelease(mode));
    userUsPerRelease[mode] = median(perRelease(mode, true));
    spread[mode] = summary(perRelease(mode));
  }
  // Side by side: each round's handler against the same round's raw floor.
  const handler = perRelease('handler');
  const raw = perRelease('raw');
  const ratios = handler.map((us, index) => us / (raw[index] ?? Number.NaN));
  return {
    rounds: options.rounds,
    releasesPerMode: options.rounds * options.perRound,
    usPerRelease,
    userUsPerRelease,
    ratio: median(ratios),
    ratioSpread: summary(ratios),
    soapRatio: (usPerRelease.soap ?? Number.NaN) / (usPerRelease.raw ?? Number.NaN),
    spread,
    samples: rounds,
  };
}
