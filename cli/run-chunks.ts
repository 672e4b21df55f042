/**
 * Requests in flight, at most N at a time, in chunk order. A reason to stop (an error a request
 * throws, a handler that says so, Ctrl-C) stops new requests; those in flight finish, so their
 * outcomes are recorded. A second Ctrl-C quits at once.
 */
import { CliError } from './errors';

export interface ChunkRun<T> {
  /** Outcomes by chunk index, for the chunks that were sent and answered. */
  outcomes: Map<number, T>;
  /** The first error that stopped the run. */
  fatal?: CliError;
  /** Ctrl-C stopped it. */
  interrupted: boolean;
}

/**
 * Runs `send` over `chunks`, `concurrency` at a time; `onDone` sees each outcome as it comes and
 * returns false to stop sending.
 */
export async function runChunks<C extends { index: number }, T>(
  chunks: readonly C[],
  concurrency: number,
  send: (chunk: C) => Promise<T>,
  onDone: (chunk: C, outcome: T) => boolean,
  notify: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<ChunkRun<T>> {
  const run: ChunkRun<T> = { outcomes: new Map(), interrupted: false };
  let next = 0;
  let stopping = false;
  const interrupt = () => {
    if (stopping && run.interrupted) process.exit(130);
    stopping = run.interrupted = true;
    notify('interrupted: no new requests; waiting for those in flight (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', interrupt);
  const worker = async () => {
    while (!stopping && next < chunks.length) {
      const chunk = chunks[next++] as C;
      try {
        const outcome = await send(chunk);
        run.outcomes.set(chunk.index, outcome);
        if (!onDone(chunk, outcome)) stopping = true;
      } catch (error) {
        stopping = true;
        if (!(error instanceof CliError)) throw error;
        run.fatal ??= error;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    process.off('SIGINT', interrupt);
  }
  return run;
}
