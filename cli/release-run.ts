/**
 * A run of release requests (or dry runs) over the chunks of an input: N in flight, each answer
 * turned into result rows, counted, shown as progress and appended to the results file in input
 * order. Items whose request was never sent (the run stopped) get `NOT_SENT` rows, so the results
 * file always has one row per item and `--resume` picks them up.
 */
import { type Chunk, describeChunk } from './chunks';
import type { CliError } from './errors';
import type { Progress } from './progress';
import { type ReleaseAnswer, sendRelease } from './release-api';
import { failedRows, type ResultRow, type ResultsFile, rowsOfResult } from './results-csv';
import { runChunks } from './run-chunks';
import { addRows, type Tally } from './tally';
import type { HttpTarget } from './target';

export interface ReleaseRunOptions {
  target: HttpTarget;
  chunks: readonly Chunk[];
  /** The request body of a chunk. */
  body: (chunk: Chunk) => Record<string, unknown>;
  concurrency: number;
  progress: Progress;
  tally: Tally;
  results?: ResultsFile | undefined;
}

/** A chunk whose plan no longer matched: nothing of it was released. */
export interface ChangedPlan {
  chunk: Chunk;
  freshHash: string | undefined;
  message: string;
}

export interface ReleaseRun {
  answers: Map<number, ReleaseAnswer>;
  /** Every item's row, in input order. */
  rows: ResultRow[];
  changed: ChangedPlan[];
  fatal?: CliError;
  interrupted: boolean;
  /** Chunks never sent. */
  unsent: number;
}

/** The rows of one answer. */
function answerRows(chunk: Chunk, answer: ReleaseAnswer): ResultRow[] {
  if (answer.kind === 'result') return rowsOfResult(answer.result);
  if (answer.kind === 'failed') {
    return failedRows(chunk.items, { code: answer.code, message: answer.message, retryable: true });
  }
  const hash = answer.freshHash ? `; its fresh plan hash is ${answer.freshHash}` : '';
  const message = `not released: ${describeChunk(chunk)} no longer matches its plan${hash}`;
  return failedRows(chunk.items, { code: 'PLAN_CHANGED', message, retryable: false });
}

/** Sends every chunk (until something stops the run) and accounts for every item. */
export async function runReleases(options: ReleaseRunOptions): Promise<ReleaseRun> {
  const { chunks, progress, tally, results } = options;
  const rowsByChunk = new Map<number, ResultRow[]>();
  const changed: ChangedPlan[] = [];
  let written = 0;
  // Rows go to the file in input order: each chunk once all those before it are in.
  const flush = () => {
    while (written < chunks.length && rowsByChunk.has(written)) {
      results?.append(rowsByChunk.get(written) ?? []);
      written++;
    }
  };
  progress.update(tally);
  const run = await runChunks(
    chunks,
    options.concurrency,
    (chunk) => sendRelease(options.target, options.body(chunk)),
    (chunk, answer) => {
      const rows = answerRows(chunk, answer);
      rowsByChunk.set(chunk.index, rows);
      addRows(tally, rows);
      progress.update(tally);
      flush();
      if (answer.kind !== 'planChanged') return true;
      changed.push({ chunk, freshHash: answer.freshHash, message: answer.message });
      return false;
    },
    (text) => progress.note(text),
  );
  const reason =
    run.fatal?.message ?? (run.interrupted ? 'interrupted' : 'an earlier request changed plan');
  let unsent = 0;
  for (const chunk of chunks) {
    if (rowsByChunk.has(chunk.index)) continue;
    unsent++;
    const message = `not sent: the run stopped (${reason.split('\n')[0]})`;
    const rows = failedRows(chunk.items, { code: 'NOT_SENT', message, retryable: true });
    rowsByChunk.set(chunk.index, rows);
    addRows(tally, rows);
  }
  flush();
  progress.update(tally);
  progress.stop();
  const rows = chunks.flatMap((chunk) => rowsByChunk.get(chunk.index) ?? []);
  return {
    answers: run.outcomes,
    rows,
    changed,
    ...(run.fatal && { fatal: run.fatal }),
    interrupted: run.interrupted,
    unsent,
  };
}
