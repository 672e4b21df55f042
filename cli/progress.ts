/**
 * Progress on stderr: a live bar on a terminal (cli-progress: items done/total, the counts, rate,
 * ETA); otherwise one line every few seconds and a last one, so a log shows the run is alive
 * without a line per item. stdout stays for results (`--json`).
 */
import { SingleBar } from 'cli-progress';
import { describeTally, type Tally } from './tally';

export interface ProgressOptions {
  total: number;
  dryRun: boolean;
  /** `bar`: a live bar (a terminal); `lines`: a line every `intervalMs`; `off`: nothing. */
  mode: 'bar' | 'lines' | 'off';
  intervalMs: number;
  /** Unit of the count: `items`. */
  unit?: string;
}

export interface Progress {
  update(tally: Tally, total?: number): void;
  /** A line for the operator that must not garble the bar. */
  note(text: string): void;
  /** Draws the last state and stops (the bar stays on screen). */
  stop(): void;
}

/** The mode for this run: a bar only on a terminal, and never with `--json`. */
export function progressMode(json: boolean): ProgressOptions['mode'] {
  return process.stderr.isTTY && !json ? 'bar' : 'lines';
}

export function startProgress(options: ProgressOptions): Progress {
  if (options.mode === 'off') return { update() {}, note() {}, stop() {} };
  return options.mode === 'bar' ? barProgress(options) : lineProgress(options);
}

/** Items per second since `startedAt`, and the seconds left at that rate. */
function pace(done: number, total: number, startedAt: number): { rate: string; eta: string } {
  const seconds = (Date.now() - startedAt) / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const eta = rate > 0 ? `${Math.ceil((total - done) / rate)}s` : '?';
  return { rate: rate.toFixed(1), eta };
}

function barProgress(options: ProgressOptions): Progress {
  const unit = options.unit ?? 'items';
  const bar = new SingleBar({
    format: `{bar} {value}/{total} ${unit} | {counts} | {rate}/s | ETA {left}`,
    stream: process.stderr,
    hideCursor: true,
    // The tool handles Ctrl-C itself (requests in flight finish); the bar must not stop on it.
    gracefulExit: false,
    barsize: 30,
  });
  const startedAt = Date.now();
  let total = options.total;
  // Rate and ETA over the whole run: cli-progress's own ETA shows "NF" until it has a rate.
  const payload = (tally: Tally) => {
    const { rate, eta } = pace(tally.done, total, startedAt);
    return { counts: describeTally(tally, options.dryRun), rate, left: eta };
  };
  let last: Tally | undefined;
  return {
    update(tally, newTotal) {
      if (last === undefined) bar.start(newTotal ?? total, 0, payload(tally));
      if (newTotal !== undefined && newTotal !== total) {
        total = newTotal;
        bar.setTotal(total);
      }
      last = { ...tally };
      bar.update(tally.done, payload(tally));
    },
    note(text) {
      // The bar restores the cursor where it started: stop it, write, start a new one below.
      if (last === undefined) return void process.stderr.write(`${text}\n`);
      bar.stop();
      process.stderr.write(`${text}\n`);
      bar.start(total, last.done, payload(last));
    },
    stop() {
      if (last) bar.update(last.done, payload(last));
      bar.stop();
    },
  };
}

function lineProgress(options: ProgressOptions): Progress {
  const unit = options.unit ?? 'items';
  const startedAt = Date.now();
  let total = options.total;
  let tally: Tally | undefined;
  const write = () => {
    if (!tally) return;
    const percent = total > 0 ? Math.floor((tally.done / total) * 100) : 100;
    const { rate, eta } = pace(tally.done, total, startedAt);
    process.stderr.write(
      `progress: ${tally.done}/${total} ${unit} (${percent}%) | ${describeTally(tally, options.dryRun)} | ${rate} ${unit}/s | ETA ${eta}\n`,
    );
  };
  const timer = setInterval(write, options.intervalMs);
  timer.unref();
  return {
    update(next, newTotal) {
      tally = { ...next };
      if (newTotal !== undefined) total = newTotal;
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
    stop() {
      clearInterval(timer);
      write();
    },
  };
}
