/**
 * The live progress bar, as an operator sees it: the built CLI run in a pseudo-terminal (a tmux
 * pane on a private tmux server), its screen captured once it has finished. tmux must be
 * installed: without it this test fails and says so, rather than skipping.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_NUMBER_FIRST } from '../../local/callfire-default-account';
import { captureOutput } from '../helpers/bundled-handler';
import { CLI_PATH, cleanEnv, type DevTarget, scratchDir, startDevTarget } from '../helpers/cli';

const output = captureOutput();
const SOCKET = `callfire-cli-test-${process.pid}`;
let target: DevTarget;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

beforeAll(async () => {
  target = await startDevTarget({ sandbox: { latencyMs: 50 } });
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
    if (!hasTmux()) {
      throw new Error(
        'this test needs tmux (a pseudo-terminal to run the CLI in): apt-get install tmux',
      );
    }
    // Prepare: 199 numbers of the bulk block and the protected one, two requests one at a time;
    // CallFire answers after 50 ms.
    const dir = scratchDir();
    const numbers = Array.from({ length: 199 }, (_, at) => `${BULK_NUMBER_FIRST + 1500 + at}`);
    const input = path.join(dir, 'numbers.csv');
    writeFileSync(input, `${[...numbers, '14255551213'].join('\n')}\n`);
    const env = Object.entries(cleanEnv()).map(([name, value]) => `${name}=${quote(value)}`);
    const command = [
      'env -i',
      ...env,
      'TERM=xterm-256color',
      quote(process.execPath),
      quote(CLI_PATH),
      `release ${quote(input)} --endpoint ${target.url} --concurrency 1`,
      '; echo "EXIT=$?"; sleep 60',
    ].join(' ');

    // Act
    tmux('new-session', '-d', '-s', 'cli', '-x', '150', '-y', '20', command);
    const screens: string[] = [];
    let screen = '';
    for (let wait = 0; wait < 300 && !screen.includes('EXIT='); wait++) {
      await sleep(50);
      screen = tmux('capture-pane', '-p', '-t', 'cli');
      screens.push(screen);
    }

    // Assess
    expect(screen).toContain('EXIT=0');
    // Half way: the first request answered, the bar half full, an ETA.
    const halfWay =
      /={15}-{15} 100\/200 items \| released 100, skipped 0, failed 0 \| [\d.]+\/s \| ETA \d+s/;
    expect(screens.filter((shown) => halfWay.test(shown)).length).toBeGreaterThan(0);
    expect(screen).toMatch(
      /={30} 200\/200 items \| released 199, skipped 1, failed 0 \| [\d.]+\/s \| ETA 0s/,
    );
    expect(screen).toContain('Release of 200 items in 2 requests');
    expect(screen).not.toContain('progress: ');
  });
});
