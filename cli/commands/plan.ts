/**
 * `plan`: a dry run of every item, in requests of at most 100, and the plan hash of each request
 * to release exactly what was reviewed (`release --plan HASH…` or `--plan-file`).
 */
import type { ItemResult } from '../../functions/release/result';
import type { OutputFlags, TargetFlags } from '../args';
import { type Chunk, chunkItems, describeChunk, releaseRequest } from '../chunks';
import { EXIT } from '../errors';
import { readItems } from '../input';
import { planFile, writePlanFile } from '../plan-file';
import type { ReleaseRun } from '../release-run';
import { runReleases } from '../release-run';
import { note, planTable, printJson, say, table } from '../report';
import { type ResultRow, ResultsFile } from '../results-csv';
import { count, describeTally, emptyTally, summaryOf } from '../tally';
import { checkTargetOptions, resolveHttpTarget } from '../target';
import { announceInput, runExitCode, runProgress } from './common';

export interface PlanFlags extends TargetFlags, OutputFlags {
  numbers?: string[];
  skipConfigured?: boolean;
  outPlan?: string;
  out?: string;
  concurrency: number;
}

/** Runs `plan`; resolves with the exit code. */
export async function planCommand(file: string | undefined, flags: PlanFlags): Promise<number> {
  checkTargetOptions(flags);
  const input = await readItems(file, flags.numbers);
  announceInput(input);
  const results = flags.out ? new ResultsFile(flags.out) : undefined;
  try {
    const target = await resolveHttpTarget(flags);
    const chunks = chunkItems(input.items);
    const skipConfigured = flags.skipConfigured === true;
    const tally = emptyTally();
    const run = await runReleases({
      target,
      chunks,
      body: (chunk) => releaseRequest(chunk.items, { dryRun: true, skipConfigured }),
      concurrency: flags.concurrency,
      progress: runProgress(input.items.length, true, flags),
      tally,
      results,
    });
    const hashes = chunks.map((chunk) => planHashOf(run, chunk));
    const complete = hashes.every((hash): hash is string => hash !== undefined);
    if (flags.outPlan && complete)
      writePlanFile(flags.outPlan, planFile(chunks, hashes, skipConfigured));
    const exitCode = complete ? runExitCode(run) : Math.max(runExitCode(run), EXIT.itemsFailed);
    if (flags.json) {
      printJson({
        dryRun: true,
        target: target.label,
        summary: summaryOf(tally, true),
        requests: chunks.map((chunk, at) => ({
          items: `${chunk.first}-${chunk.first + chunk.items.length - 1}`,
          planHash: hashes[at] ?? null,
        })),
        results: run.rows,
        ...(run.fatal && { error: run.fatal.message }),
        exitCode,
      });
    } else {
      say(planTable(tableRows(run, chunks)));
      say(
        `\nPlan of ${count(input.items.length, 'item')} in ${count(chunks.length, 'request')}: ${describeTally(tally, true)}.`,
      );
      printHashes(chunks, hashes, file, flags);
    }
    if (run.fatal) note(`callfire-release: ${run.fatal.message}`);
    if (flags.outPlan && !complete)
      note(
        `no plan written to ${flags.outPlan}: some requests have no plan hash (their dry run failed); run plan again`,
      );
    return exitCode;
  } finally {
    results?.close();
  }
}

function planHashOf(run: ReleaseRun, chunk: Chunk): string | undefined {
  const answer = run.answers.get(chunk.index);
  return answer?.kind === 'result' ? answer.result.plan?.hash : undefined;
}

/** Each row with the item result it came from, when there was one (for lease and inbound). */
function tableRows(run: ReleaseRun, chunks: readonly Chunk[]) {
  const results: Array<ItemResult | undefined> = chunks.flatMap((chunk) => {
    const answer = run.answers.get(chunk.index);
    return answer?.kind === 'result' ? answer.result.results : chunk.items.map(() => undefined);
  });
  return run.rows.map((row: ResultRow, at) => ({
    row,
    ...(results[at] && { result: results[at] }),
  }));
}

function printHashes(
  chunks: readonly Chunk[],
  hashes: ReadonlyArray<string | undefined>,
  file: string | undefined,
  flags: PlanFlags,
): void {
  say('\nPlan hashes, one per request of at most 100 items, in order:');
  say(
    table(
      ['REQUEST', 'PLAN HASH'],
      chunks.map((chunk, at) => [describeChunk(chunk), hashes[at] ?? '(none: the dry run failed)']),
    ),
  );
  if (hashes.some((hash) => hash === undefined)) return;
  const target = flags.stack ? `--stack ${flags.stack}` : `--endpoint ${flags.endpoint}`;
  const skip = flags.skipConfigured ? ' --skip-configured' : '';
  say('\nRelease exactly this plan (nothing is released if the account changed meanwhile):');
  if (flags.outPlan)
    say(`  npx callfire-release release --plan-file ${flags.outPlan} ${target} --out results.csv`);
  else
    say(
      `  npx callfire-release release ${file ?? '--numbers …'} ${target}${skip} --plan ${hashes.join(' ')}`,
    );
}
