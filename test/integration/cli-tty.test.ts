/**
 * The CLI as an operator sees it on a terminal: the built CLI run in a pseudo-terminal (a tmux
 * pane on a private tmux server), its screen captured as it runs. tmux must be installed: without
 * it these tests fail and say so, rather than skipping.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BULK_NUMBER_FIRST } from '../../local/callfire-default-account';
import { captureOutput } from '../helpers/bundled-handler';
import { CLI_PATH, cleanEnv, type DevTarget, scratchDir, startDevTarget } from '../helpers/cli';

const output = captureOutput();
const SOCKET = `callfire-cli-test-${process.pid}`;
let target: DevTarget;
let dir: string;
let pane = 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * Starts `callfire-release ...args` in a new 150×20 pane; `screen()` captures it. The shell
 * prints `EXIT=<code>` when the CLI ends.
 */
function runInPane(args: readonly string[]) {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'these tests need tmux (a pseudo-terminal to run the CLI in): apt-get install tmux',
    );
  }
  const name = `cli-${++pane}`;
  const env = Object.entries(cleanEnv()).map(([key, value]) => `${key}=${quote(value)}`);
  const command = [
    'env -i',
    ...env,
    'TERM=xterm-256color',
    quote(process.execPath),
    quote(CLI_PATH),
    ...args.map(quote),
    '; echo "EXIT=$?"; sleep 60',
  ];
  tmux('new-session', '-d', '-s', name, '-x', '150', '-y', '20', command.join(' '));
  return {
    screen: () => tmux('capture-pane', '-p', '-t', name),
    keys: (...keys: string[]) => tmux('send-keys', '-t', name, ...keys),
  };
}

/** Captures the screen every 50 ms until `done` says so (or 15 s pass); every capture. */
async function watch(screen: () => string, done: (shown: string) => boolean): Promise<string[]> {
  const screens: string[] = [];
  for (let wait = 0; wait < 300; wait++) {
    await sleep(50);
    screens.push(screen());
    if (done(screens.at(-1) as string)) break;
  }
  return screens;
}

function numbersFile(count: number, offset: number, extra: string[] = []): string {
  const numbers = Array.from({ length: count }, (_, at) => `${BULK_NUMBER_FIRST + offset + at}`);
  const input = path.join(dir, 'numbers.csv');
  writeFileSync(input, `${[...numbers, ...extra].join('\n')}\n`);
  return input;
}

beforeAll(async () => {
  // CallFire answers after 50 ms: a request of 100 items takes about 0.65 s.
  target = await startDevTarget({ sandbox: { latencyMs: 50 } });
});

beforeEach(() => {
  target.sandbox.reset();
  dir = scratchDir();
});

afterAll(async () => {
  output.restore();
  try {
    tmux('kill-server');
  } catch {
    // Never started, or already gone.
  }
  await target?.close();
});

describe('callfire-release on a terminal', () => {
  it('draws a live progress bar with items done/total and the counts', async () => {
    // Prepare: 199 numbers of the bulk block and the protected one, two requests one at a time.
    const input = numbersFile(199, 1500, ['14255551213']);

    // Act
    const { screen } = runInPane([
      'release',
      input,
      '--endpoint',
      target.url,
      '--concurrency',
      '1',
    ]);
    const screens = await watch(screen, (shown) => shown.includes('EXIT='));

    // Assess
    const last = screens.at(-1) ?? '';
    expect(last).toContain('EXIT=0');
    // Half way: the first request answered, the bar half full, an ETA.
    const halfWay =
      /={15}-{15} 100\/200 items \| released 100, skipped 0, failed 0 \| [\d.]+\/s \| ETA \d+s/;
    expect(screens.filter((shown) => halfWay.test(shown)).length).toBeGreaterThan(0);
    expect(last).toMatch(
      /={30} 200\/200 items \| released 199, skipped 1, failed 0 \| [\d.]+\/s \| ETA 0s/,
    );
    expect(last).toContain('Release of 200 items in 2 requests');
    expect(last).not.toContain('progress: ');
  });

  it('stops at Ctrl-C: the request in flight finishes, the rest are NOT_SENT rows, exit 130', async () => {
    const input = numbersFile(400, 1000);
    const results = path.join(dir, 'results.csv');
    const { screen, keys } = runInPane([
      'release',
      input,
      '--endpoint',
      target.url,
      '--concurrency',
      '1',
      '--out',
      results,
    ]);
    await watch(screen, (shown) => shown.includes('100/400 items'));

    keys('C-c');
    const last = (await watch(screen, (shown) => shown.includes('EXIT='))).at(-1) ?? '';

    expect(last).toContain('interrupted: no new requests; waiting for those in flight');
    expect(last).toContain('EXIT=130');
    const rows = parse(readFileSync(results, 'utf8'), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(rows).toHaveLength(400);
    const released = rows.filter((row) => row.outcome === 'released').length;
    // The second request was in flight at Ctrl-C (a slow machine may have reached the third).
    expect([200, 300]).toContain(released);
    expect(
      rows.slice(released).every((row) => row.errorCode === 'NOT_SENT' && row.retryable === 'true'),
    ).toBe(true);
    expect(target.sandbox.calls.filter((call) => call.operation === 'Release')).toHaveLength(
      released,
    );
    expect(last).toContain(
      `${400 - released} items not sent: the run stopped before their requests`,
    );
  });
});
