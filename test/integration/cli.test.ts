/**
 * The operators' command line as built (dist/cli/callfire-release.js, run as a child process)
 * against the dev server: the bundled function behind the HTTP API stand-in, on the CallFire
 * sandbox, the local Secrets Manager and Parameter Store (which protects 14255551213).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BULK_NUMBER_FIRST } from '../../local/callfire-default-account';
import { captureOutput } from '../helpers/bundled-handler';
import { type DevTarget, runCli, scratchDir, startDevTarget } from '../helpers/cli';

const output = captureOutput();
let target: DevTarget;
let dir: string;

beforeAll(async () => {
  target = await startDevTarget();
});

afterAll(async () => {
  output.restore();
  await target?.close();
});

beforeEach(() => {
  target.sandbox.reset();
  dir = scratchDir();
});

/** Bulk block numbers from `offset`, `count` of them. */
const bulk = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, at) => `${BULK_NUMBER_FIRST + offset + at}`);

function file(name: string, text: string): string {
  const where = path.join(dir, name);
  writeFileSync(where, text);
  return where;
}

function csvRows(where: string): Array<Record<string, string>> {
  return parse(readFileSync(where, 'utf8'), { columns: true });
}

/** The numbers the sandbox got a Release for, sorted (requests run concurrently). */
const released = () =>
  target.sandbox.calls
    .filter((call) => call.operation === 'Release')
    .map((call) => call.number)
    .sort();
const endpoint = () => ['--endpoint', target.url];

describe('callfire-release release', () => {
  it('releases 250 numbers in requests of 100, with a results CSV of 250 rows and progress lines', async () => {
    // Prepare: 240 numbers of the bulk block, 10 the account does not have, a comment and a blank.
    const unknown = Array.from({ length: 10 }, (_, at) => `142555500${10 + at}`);
    const numbers = [...bulk(240), ...unknown];
    const input = file('numbers.csv', `number\n# retired in Q4\n\n${numbers.join('\n')}\n`);
    target.sandbox.latencyMs = 10;

    // Act
    const run = await runCli([
      'release',
      input,
      ...endpoint(),
      '--out',
      path.join(dir, 'results.csv'),
      '--progress-interval',
      '0.05',
    ]);

    // Assess
    expect(run.code, run.stderr).toBe(1);
    const rows = csvRows(path.join(dir, 'results.csv'));
    expect(rows).toHaveLength(250);
    expect(rows.filter((row) => row.outcome === 'released').map((row) => row.number)).toEqual(
      bulk(240),
    );
    const failed = rows.filter((row) => row.outcome === 'failed');
    expect(failed.map((row) => [row.number, row.errorCode, row.retryable])).toEqual(
      unknown.map((number) => [number, 'NOT_FOUND', 'false']),
    );
    expect(released()).toEqual([...numbers].sort());
    expect(target.sandbox.findNumber(bulk(1, 239)[0] as string)?.autoRenew).toBe(false);
    const progress = run.stderr.split('\n').filter((line) => line.startsWith('progress: '));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatch(
      /^progress: 250\/250 items \(100%\) \| released 240, skipped 0, failed 10 \|/,
    );
    expect(run.stdout).toContain('Release of 250 items in 3 requests');
    expect(run.stdout).toMatch(/14255550010\s+NOT_FOUND/);
  });

  it('refuses a file with a bad row, naming its line, and sends nothing', async () => {
    const input = file(
      'numbers.csv',
      'number\n14255551212\n# a comment\n4255551216\n425-555-12x4\n+44 20 7946 0958\n',
    );

    const run = await runCli(['release', input, ...endpoint()]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('1 bad row, nothing was sent');
    expect(run.stderr).toContain('line 5: "425-555-12x4" is not a phone number');
    expect(target.sandbox.calls).toEqual([]);
  });

  it('lists at most 20 bad rows and counts the rest', async () => {
    const input = file(
      'numbers.txt',
      `${Array.from({ length: 25 }, (_, at) => `bad${at}`).join('\n')}\n`,
    );

    const run = await runCli(['release', input, ...endpoint()]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('25 bad rows');
    expect(run.stderr).toContain('line 20: "bad19"');
    expect(run.stderr).not.toContain('line 21:');
    expect(run.stderr).toContain('…and 5 more not listed');
    expect(target.sandbox.calls).toEqual([]);
  });

  it('resumes: a second run sends only what the first results file does not show done', async () => {
    // Prepare: the first run fails three numbers (CallFire unavailable for them, every attempt).
    const numbers = bulk(150, 300);
    const flaky = [numbers[3], numbers[120], numbers[149]] as string[];
    for (const number of flaky) {
      target.sandbox.injectFault({
        fault: { type: 'fault', code: 'UNAVAILABLE' },
        operation: 'Release',
        target: number,
        times: Infinity,
      });
    }
    const input = file('numbers.csv', `${numbers.join('\n')}\n`);
    const results = path.join(dir, 'results.csv');
    const first = await runCli(['release', input, ...endpoint(), '--out', results]);
    expect(first.code, first.stderr).toBe(1);
    expect(
      csvRows(results)
        .filter((row) => row.outcome === 'failed')
        .map((row) => row.number),
    ).toEqual(flaky);
    target.sandbox.clearFaults();
    target.sandbox.calls.length = 0;

    // Act
    const second = await runCli([
      'release',
      input,
      ...endpoint(),
      '--resume',
      results,
      '--out',
      results,
    ]);

    // Assess
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('--resume: 147 items done');
    expect(released()).toEqual([...flaky].sort());
    const rows = csvRows(results);
    expect(rows).toHaveLength(150);
    expect(rows.every((row) => row.outcome === 'released')).toBe(true);
  });

  it('refuses keywords without --confirm-keyword-release before sending anything', async () => {
    const input = file('items.csv', 'keyword,shortCode\nVANILLA,\nCHOCOLATE,67076\n');

    const refused = await runCli(['release', input, ...endpoint()]);

    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('keywords need --confirm-keyword-release');
    expect(target.sandbox.calls).toEqual([]);
    const confirmed = await runCli([
      'release',
      input,
      ...endpoint(),
      '--confirm-keyword-release',
      '--json',
    ]);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    const result = JSON.parse(confirmed.stdout);
    expect(result.summary).toEqual({ requested: 2, released: 2, skipped: 0, failed: 0 });
    expect(
      result.results.map(
        (row: { keyword: string; shortCode: string }) => `${row.shortCode}/${row.keyword}`,
      ),
    ).toEqual(['67076/VANILLA', '67076/CHOCOLATE']);
  });

  it('takes numbers on stdin and as arguments, merging duplicates', async () => {
    const piped = await runCli(['release', '-', ...endpoint(), '--dry-run', '--json'], {
      input: '14255551212\n(425) 555-1212\n+1 425 555 1217\n',
    });
    const argued = await runCli([
      'release',
      '--numbers',
      '4255551212',
      '14255551217',
      ...endpoint(),
      '--dry-run',
      '--json',
    ]);

    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr).toContain('2 items from stdin (1 duplicate merged)');
    expect(JSON.parse(piped.stdout).results).toEqual(JSON.parse(argued.stdout).results);
    expect(released()).toEqual([]);
  });
});

describe('callfire-release plan', () => {
  it('shows the protected number skipped (PROTECTED) in the table, and in the results CSV', async () => {
    const input = file(
      'numbers.csv',
      'number\n14255551212\n14255551213\n14255551214\n14255551215\n',
    );

    const plan = await runCli(['plan', input, ...endpoint(), '--out', path.join(dir, 'plan.csv')]);

    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/14255551212\s+would-release\s+2026-12-01\s+-/);
    expect(plan.stdout).toMatch(/14255551213\s+skipped \(PROTECTED\)/);
    expect(plan.stdout).toMatch(/14255551214\s+already-released/);
    expect(plan.stdout).toMatch(/14255551215\s+would-release\s+2026-12-01\s+IVR/);
    expect(plan.stdout).toMatch(/request 1 \(items 1-4\)\s+[0-9a-f]{64}/);
    expect(csvRows(path.join(dir, 'plan.csv'))[1]).toMatchObject({
      number: '14255551213',
      outcome: 'skipped',
      reason: 'PROTECTED',
    });
    const release = await runCli([
      'release',
      input,
      ...endpoint(),
      '--out',
      path.join(dir, 'results.csv'),
    ]);
    expect(release.code).toBe(0);
    expect(csvRows(path.join(dir, 'results.csv'))[1]).toMatchObject({
      number: '14255551213',
      outcome: 'skipped',
      reason: 'PROTECTED',
    });
    expect(released()).not.toContain('14255551213');
  });

  it('then release --plan-file releases exactly the plan', async () => {
    // Prepare: 150 items make two requests; one already released, one protected.
    const numbers = [...bulk(148, 600), '14255551213', '14255551214'];
    const input = file('numbers.csv', `${numbers.join('\n')}\n`);
    const planFile = path.join(dir, 'plan.json');
    const plan = await runCli(['plan', input, ...endpoint(), '--out-plan', planFile]);
    expect(plan.code, plan.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(planFile, 'utf8'));
    expect(saved.requests.map((request: { items: unknown[] }) => request.items.length)).toEqual([
      100, 50,
    ]);
    target.sandbox.calls.length = 0;

    // Act
    const release = await runCli([
      'release',
      '--plan-file',
      planFile,
      ...endpoint(),
      '--out',
      path.join(dir, 'results.csv'),
    ]);

    // Assess
    expect(release.code, release.stderr).toBe(0);
    expect(released()).toEqual(bulk(148, 600));
    const rows = csvRows(path.join(dir, 'results.csv'));
    expect(rows.slice(-2).map((row) => [row.number, row.outcome, row.reason])).toEqual([
      ['14255551213', 'skipped', 'PROTECTED'],
      ['14255551214', 'skipped', 'ALREADY_RELEASED'],
    ]);
  });

  it('then release --plan HASH… with the same file releases it; a changed account exits 4 with nothing released', async () => {
    const numbers = bulk(130, 900);
    const input = file('numbers.csv', `${numbers.join('\n')}\n`);
    const plan = await runCli(['plan', input, ...endpoint(), '--json']);
    const hashes: string[] = JSON.parse(plan.stdout).requests.map(
      (request: { planHash: string }) => request.planHash,
    );
    expect(hashes).toHaveLength(2);

    // Act: someone turns auto-renew off on one number of the second request meanwhile.
    const changed = target.sandbox.findNumber(numbers[120] as string);
    if (changed) changed.autoRenew = false;
    const refused = await runCli(['release', input, ...endpoint(), '--plan', ...hashes]);

    // Assess
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /request 2 \(items 101-130\): the plan changed; fresh plan hash [0-9a-f]{64}/,
    );
    expect(refused.stderr).not.toContain('request 1 (');
    expect(released()).toEqual([]);
    if (changed) changed.autoRenew = true;
    const applied = await runCli(['release', input, ...endpoint(), '--plan', ...hashes]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(released()).toEqual(numbers);
  });

  it('refuses a plan file with another file, and a plan file that is not one, sending nothing', async () => {
    const planFile = path.join(dir, 'plan.json');
    const planned = await runCli([
      'plan',
      file('a.csv', '14255551212\n'),
      ...endpoint(),
      '--out-plan',
      planFile,
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    target.sandbox.calls.length = 0;

    const other = await runCli([
      'release',
      file('b.csv', '14255551217\n'),
      '--plan-file',
      planFile,
      ...endpoint(),
    ]);
    const broken = await runCli([
      'release',
      '--plan-file',
      file('bad.json', '{"requests":[{"planHash":"x","items":[{"number":"1"}]}]}'),
      ...endpoint(),
    ]);

    expect(other.code).toBe(2);
    expect(other.stderr).toContain("are not the plan's");
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('requests[0].planHash');
    expect(broken.stderr).toContain('requests[0].items[0]');
    expect(target.sandbox.calls).toEqual([]);
  });

  it('refuses --plan with a hash count that does not match the requests', async () => {
    const input = file('numbers.csv', `${bulk(101).join('\n')}\n`);

    const run = await runCli(['release', input, ...endpoint(), '--plan', 'a'.repeat(64)]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('1 hashes for 2 requests');
    expect(target.sandbox.calls).toEqual([]);
  });
});

describe('callfire-release usage', () => {
  it.each([
    ['plan'],
    ['release'],
    ['job', 'start'],
    ['job', 'status'],
    ['job', 'wait'],
    ['job', 'results'],
    ['job', 'stop'],
    ['schedule', 'create'],
    ['schedule', 'list'],
    ['schedule', 'cancel'],
  ])('%s %s --help shows examples and the exit codes', async (...command) => {
    const run = await runCli([...command.filter(Boolean), '--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Examples?:\n {2}npx callfire-release /);
  });

  it('refuses plain http to another machine, and a missing target, before reading anything', async () => {
    const input = file('numbers.csv', '14255551212\n');

    const remote = await runCli(['release', input, '--endpoint', 'http://10.1.2.3:3000']);
    const none = await runCli(['release', input]);
    const unknownOption = await runCli(['release', input, '--endpiont', target.url]);

    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('plain http only to a loopback address');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give a target');
    expect(unknownOption.code).toBe(2);
    expect(target.sandbox.calls).toEqual([]);
  });
});
