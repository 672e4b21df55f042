/** What the release and plan commands share: saying what was read, and the exit code of a run. */
import { EXIT, type ExitCode } from '../errors';
import type { Items } from '../input';
import { progressMode, startProgress } from '../progress';
import type { ReleaseRun } from '../release-run';
import { note } from '../report';
import { count } from '../tally';

/** One note on stderr: how many distinct items, from where, and how many duplicates merged. */
export function announceInput(input: Items): void {
  const merged = input.duplicates > 0 ? ` (${count(input.duplicates, 'duplicate')} merged)` : '';
  note(`${count(input.items.length, 'item')} from ${input.source}${merged}`);
}

/** 0 nothing failed; 1 some items failed; otherwise the code of what stopped the run. */
export function runExitCode(run: ReleaseRun): ExitCode {
  if (run.changed.length > 0) return EXIT.planChanged;
  if (run.fatal) return run.fatal.exitCode;
  if (run.interrupted) return EXIT.interrupted;
  return run.rows.some((row) => row.outcome === 'failed') ? EXIT.itemsFailed : EXIT.ok;
}

/** The progress of a run of `total` items, as the output flags ask. */
export function runProgress(
  total: number,
  dryRun: boolean,
  flags: { json?: boolean; progressInterval: number },
) {
  return startProgress({
    total,
    dryRun,
    mode: progressMode(flags.json === true),
    intervalMs: flags.progressInterval * 1000,
  });
}
