/**
 * `release`: releases the items in requests of at most 100, N in flight, retrying what may pass;
 * a results file with one row per item; `--resume` sends only what a previous results file does
 * not show done; `--plan`/`--plan-file` release exactly a reviewed plan, or nothing.
 */
import type { OutputFlags, TargetFlags } from '../args';
import { type Chunk, chunkItems, describeChunk, hasKeywords, releaseRequest } from '../chunks';
import { CliError, EXIT, usageError } from '../errors';
import { type Item, type Items, readItems } from '../input';
import { readPlanFile, sameItems } from '../plan-file';
import { type ReleaseRun, runReleases } from '../release-run';
import { failuresList, note, printJson, say } from '../report';
import { type ResultRow, ResultsFile, readDoneItems } from '../results-csv';
import { addRows, count, describeTally, emptyTally, summaryOf } from '../tally';
import { checkTargetOptions, type HttpTarget, resolveHttpTarget } from '../target';
import { announceInput, runExitCode, runProgress } from './common';

export interface ReleaseFlags extends TargetFlags, OutputFlags {
  numbers?: string[];
  dryRun?: boolean;
  confirmKeywordRelease?: boolean;
  skipConfigured?: boolean;
  plan?: string[];
  planFile?: string;
  out?: string;
  resume?: string;
  concurrency: number;
}

/** What to send: the chunks, their plan hashes (when releasing a plan), rows carried over. */
interface Work {
  input: Items;
  chunks: Chunk[];
  hashes?: string[];
  skipConfigured: boolean;
  carried: ResultRow[];
}

/** Runs `release`; resolves with the exit code. */
export async function releaseCommand(
  file: string | undefined,
  flags: ReleaseFlags,
): Promise<number> {
  checkFlags(flags);
  checkTargetOptions(flags);
  const work = await prepare(file, flags);
  const results = flags.out ? new ResultsFile(flags.out) : undefined;
  try {
    results?.append(work.carried);
    if (work.chunks.length === 0) {
      say(`Nothing left to send: all ${work.carried.length} items are done in ${flags.resume}.`);
      return EXIT.ok;
    }
    const target = await resolveHttpTarget(flags);
    if (work.hashes) await preflight(target, work, flags);
    const dryRun = flags.dryRun === true;
    const tally = emptyTally();
    const started = Date.now();
    const run = await runReleases({
      target,
      chunks: work.chunks,
      body: (chunk) =>
        releaseRequest(chunk.items, {
          dryRun,
          confirmKeywordRelease: flags.confirmKeywordRelease,
          skipConfigured: work.skipConfigured,
          planHash: work.hashes?.[chunk.index],
        }),
      concurrency: flags.concurrency,
      progress: runProgress(
        work.chunks.reduce((sum, chunk) => sum + chunk.items.length, 0),
        dryRun,
        flags,
      ),
      tally,
      results,
    });
    const exitCode = runExitCode(run);
    report(run, { work, flags, target, seconds: (Date.now() - started) / 1000, exitCode });
    return exitCode;
  } finally {
    results?.close();
  }
}

function checkFlags(flags: ReleaseFlags): void {
  const planned = flags.plan !== undefined || flags.planFile !== undefined;
  if (flags.plan && flags.planFile) throw usageError('give --plan or --plan-file, not both');
  if (planned && flags.dryRun)
    throw usageError('--plan and --plan-file release a plan; a dry run (plan) makes one');
  if (planned && flags.resume) {
    throw usageError(
      '--resume cannot apply a plan: a plan covers whole requests; make a fresh plan of what is left',
    );
  }
}

/** The items, as given or as the plan file has them, less what `--resume` shows done. */
async function prepare(file: string | undefined, flags: ReleaseFlags): Promise<Work> {
  const plan = flags.planFile ? readPlanFile(flags.planFile) : undefined;
  const given = file !== undefined || flags.numbers !== undefined;
  const input: Items =
    plan && !given
      ? {
          items: plan.chunks.flatMap((chunk) => chunk.items),
          duplicates: 0,
          source: flags.planFile as string,
        }
      : await readItems(file, flags.numbers);
  announceInput(input);
  if (hasKeywords(input.items) && !flags.dryRun && !flags.confirmKeywordRelease) {
    throw usageError(
      'keywords need --confirm-keyword-release: a released keyword cannot be bought back for a month (--dry-run or plan to preview); nothing was sent',
    );
  }
  if (plan) {
    if (given && !sameItems(input.items, plan.chunks)) {
      throw usageError(
        `the items of ${input.source} are not the plan's (${flags.planFile}): make a fresh plan`,
      );
    }
    if (flags.skipConfigured && !plan.skipConfigured) {
      throw usageError(
        `${flags.planFile} was planned without --skip-configured: make a fresh plan with it`,
      );
    }
    return {
      input,
      chunks: plan.chunks,
      hashes: plan.hashes,
      skipConfigured: plan.skipConfigured,
      carried: [],
    };
  }
  const { remaining, carried } = resume(input.items, flags.resume);
  const chunks = chunkItems(remaining);
  if (flags.plan && flags.plan.length !== chunks.length) {
    throw usageError(
      `--plan: ${flags.plan.length} hashes for ${chunks.length} requests of at most 100 items: give one hash per request, in the order plan printed them`,
    );
  }
  const hashes = flags.plan?.map((hash) => hash.toLowerCase());
  if (hashes?.some((hash) => !/^[0-9a-f]{64}$/.test(hash))) {
    throw usageError("--plan: each hash is the 64 hex characters of a dry run's plan hash");
  }
  return {
    input,
    chunks,
    ...(hashes && { hashes }),
    skipConfigured: flags.skipConfigured === true,
    carried,
  };
}

/** The items not shown done (released or skipped) in the `--resume` file, and the rows that show them done. */
function resume(items: readonly Item[], path: string | undefined) {
  if (!path) return { remaining: [...items], carried: [] };
  const done = readDoneItems(path);
  const remaining: Item[] = [];
  const carried: ResultRow[] = [];
  for (const item of items) {
    const rows = done.rowsFor(item);
    if (rows.length > 0) carried.push(...rows);
    else remaining.push(item);
  }
  note(
    `--resume: ${items.length - remaining.length} items done in ${path} (released or skipped); ${remaining.length} left to send`,
  );
  return { remaining, carried };
}

/** A request of the plan that did not check out: changed (with its fresh hash) or unchecked. */
interface PlanProblem {
  request: number;
  freshHash: string | null;
  problem: string;
}

/**
 * Checks every request's plan with a dry run before releasing anything: a plan spanning several
 * requests is released whole or not at all (each release then checks its own hash again).
 *
 * @throws CliError (exit 4) naming every request whose plan changed, with its fresh hash; exit 1
 *   when a request could not be checked
 */
async function preflight(target: HttpTarget, work: Work, flags: ReleaseFlags): Promise<void> {
  note(`checking the plan: ${count(work.chunks.length, 'dry run')} before releasing anything`);
  const run = await runReleases({
    target,
    chunks: work.chunks,
    body: (chunk) =>
      releaseRequest(chunk.items, { dryRun: true, skipConfigured: work.skipConfigured }),
    concurrency: flags.concurrency,
    progress: { update() {}, note, stop() {} },
    tally: emptyTally(),
  });
  if (run.fatal) throw run.fatal;
  const problems = work.chunks.flatMap((chunk): PlanProblem[] => {
    const answer = run.answers.get(chunk.index);
    const fresh = answer?.kind === 'result' ? answer.result.plan?.hash : undefined;
    if (fresh === work.hashes?.[chunk.index]) return [];
    const request = chunk.index + 1;
    if (fresh) {
      const problem = `${describeChunk(chunk)}: the plan changed; fresh plan hash ${fresh}`;
      return [{ request, freshHash: fresh, problem }];
    }
    const why = answer?.kind === 'failed' ? answer.message : 'no answer';
    return [{ request, freshHash: null, problem: `${describeChunk(chunk)}: not checked (${why})` }];
  });
  if (problems.length === 0) return;
  const changed = problems.some((problem) => problem.freshHash !== null);
  const exitCode = changed ? EXIT.planChanged : EXIT.itemsFailed;
  if (flags.json) printJson({ dryRun: false, planChanged: problems, released: 0, exitCode });
  const lines = problems.map(({ problem }) => `\n  ${problem}`).join('');
  throw new CliError(
    changed
      ? `the account no longer matches the plan; nothing was released:${lines}\nReview it again with plan (--out-plan), then release the fresh plan.`
      : `the plan could not be checked; nothing was released:${lines}`,
    exitCode,
  );
}

interface ReportContext {
  work: Work;
  flags: ReleaseFlags;
  target: HttpTarget;
  seconds: number;
  exitCode: number;
}

function report(run: ReleaseRun, { work, flags, target, seconds, exitCode }: ReportContext): void {
  const dryRun = flags.dryRun === true;
  const tally = addRows(emptyTally(), run.rows);
  if (flags.json) {
    printJson({
      dryRun,
      target: target.label,
      requests: work.chunks.length,
      summary: summaryOf(tally, dryRun),
      duplicatesMerged: work.input.duplicates,
      carriedOver: work.carried.length,
      results: run.rows,
      ...(run.changed.length > 0 && {
        planChanged: run.changed.map(({ chunk, freshHash }) => ({
          request: chunk.index + 1,
          freshHash,
        })),
      }),
      ...(run.fatal && { error: run.fatal.message }),
      exitCode,
    });
  } else {
    const what = dryRun ? 'Dry run' : 'Release';
    say(
      `${what} of ${count(tally.done, 'item')} in ${count(work.chunks.length, 'request')} against ${target.label} (${seconds.toFixed(1)} s): ${describeTally(tally, dryRun)}.`,
    );
    if (work.carried.length > 0) say(`${work.carried.length} items were already done (--resume).`);
    if (tally.failed > 0) say(`\nFailed:\n${failuresList(run.rows)}`);
    if (flags.out)
      say(
        `\nResults: ${flags.out}${tally.failed > 0 ? ` (send the failed ones again with --resume ${flags.out})` : ''}`,
      );
  }
  for (const { chunk, freshHash, message } of run.changed) {
    note(
      `callfire-release: ${describeChunk(chunk)}: the plan changed, nothing of it was released (${message}); fresh plan hash ${freshHash ?? '?'}. Review it with plan.`,
    );
  }
  if (run.fatal) note(`callfire-release: ${run.fatal.message}`);
}
