/**
 * `job start|results|stop` end to end on this machine: the built command line against the dev
 * server's job API, whose jobs the local Step Functions endpoint runs with the bundled release
 * function on the CallFire sandbox (test/integration/cli-jobs.test.ts pins the contract against a
 * fake; this is the real thing).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_NUMBER_FIRST } from '../../local/callfire-default-account';
import { type DevTarget, runCli, scratchDir, startDevTarget } from '../helpers/cli';

let target: DevTarget;
let dir: string;

beforeAll(async () => {
  target = await startDevTarget();
  dir = scratchDir();
});

afterAll(async () => {
  await target?.close();
});

const rowsOf = (csv: string) => csv.trim().split(/\r?\n/).slice(1);

describe('callfire-release job, on the local job runner', () => {
  it('starts a job from a CSV, waits for it, and downloads one results row per item', async () => {
    const numbers = Array.from({ length: 150 }, (_, at) => String(BULK_NUMBER_FIRST + at));
    const file = path.join(dir, 'retire.csv');
    writeFileSync(file, ['number', ...numbers, '14255550000', '14255551213'].join('\n'));
    const out = path.join(dir, 'results.csv');

    const started = await runCli([
      'job',
      'start',
      file,
      '--endpoint',
      target.url,
      '--job-id',
      'cli-local-1',
      '--wait',
      '--interval',
      '0.2',
    ]);
    const results = await runCli([
      'job',
      'results',
      'cli-local-1',
      '--endpoint',
      target.url,
      '--out',
      out,
    ]);

    // One unknown number failed (NOT_FOUND): exit 1; the protected one is skipped, not failed.
    expect(started.code, started.stderr).toBe(1);
    expect(results.code, results.stderr).toBe(1); // the results say an item failed
    const rows = rowsOf(readFileSync(out, 'utf8'));
    expect(rows).toHaveLength(152);
    expect(rows.filter((row) => row.includes(',released,'))).toHaveLength(150);
    expect(rows.find((row) => row.startsWith('number,14255550000,'))).toContain('NOT_FOUND');
    expect(rows.find((row) => row.startsWith('number,14255551213,'))).toContain(
      'skipped,PROTECTED',
    );
    const released = target.sandbox.account.numbers.filter(
      (entry) => numbers.includes(entry.number) && !entry.autoRenew,
    );
    expect(released).toHaveLength(150);
  });
});
