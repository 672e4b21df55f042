/**
 * Figure 2, per-release CPU: a `node` process (bench/drivers/warm-cpu.ts) running the warm handler
 * and the raw node:http floor in interleaved rounds; another running the `soap` package alone
 * (context) against its own raw floor.
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
  /** The raw floor of the soap context's own process (µs per release): soapRatio's divisor. */
  contextRawUs: number;
  spread: Partial<Record<CpuMode, ReturnType<typeof summary>>>;
  samples: Round[];
}

export async function measureCpu(
  servers: Servers,
  options: { bundle: string; rounds: number; perRound: number },
): Promise<CpuResult> {
  const roundsOf = async (modes: CpuMode[]) => {
    await servers.sandbox('POST', 'reset');
    const run = await runNode(
      [driver('warm-cpu')],
      servers.functionEnv({
        BENCH_MODES: modes.join(','),
        BENCH_BUNDLE: options.bundle,
        BENCH_ROUNDS: String(options.rounds),
        BENCH_PER_ROUND: String(options.perRound),
      }),
    );
    return firstReport<{ rounds: Round[] }>(run, 'warm-cpu driver').rounds;
  };
  // The ratio's two sides in one process; the soap package (context) in its own, with its own
  // raw floor, so its garbage is not collected in the ratio's rounds.
  const rounds = await roundsOf(['handler', 'raw']);
  const contextRounds = await roundsOf(['soap', 'raw']);
  const perRelease = (mode: CpuMode, user = false, from = rounds) =>
    from
      .filter((round) => round.mode === mode)
      .map((round) => (round.userUs + (user ? 0 : round.systemUs)) / round.releases);

  const usPerRelease: Partial<Record<CpuMode, number>> = {};
  const userUsPerRelease: Partial<Record<CpuMode, number>> = {};
  const spread: Partial<Record<CpuMode, ReturnType<typeof summary>>> = {};
  for (const mode of CPU_MODES) {
    const from = mode === 'soap' ? contextRounds : rounds;
    usPerRelease[mode] = median(perRelease(mode, false, from));
    userUsPerRelease[mode] = median(perRelease(mode, true, from));
    spread[mode] = summary(perRelease(mode, false, from));
  }
  const contextRaw = median(perRelease('raw', false, contextRounds));
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
    soapRatio: (usPerRelease.soap ?? Number.NaN) / contextRaw,
    contextRawUs: contextRaw,
    spread,
    samples: rounds,
  };
}
