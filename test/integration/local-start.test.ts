// `npm start` itself (local/start.ts), as a process: what it tells a newcomer to try.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
let child: ChildProcess | undefined;

/** Starts the dev server and resolves with what it printed once it says where it listens. */
function start(env: Record<string, string>): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
  });
  return new Promise((resolve, reject) => {
    let printed = '';
    child?.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      if (printed.includes('curl')) resolve(printed);
    });
    child?.stderr?.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
    });
    child?.once('exit', (code) => reject(new Error(`exited ${code}: ${printed}`)));
  });
}

// SIGTERM, as Ctrl-C would: npm start closes its stand-ins, and the local S3 removes its
// temporary directory. SIGKILL only if it has not ended within 5 s.
afterEach(async () => {
  const running = child;
  child = undefined;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.kill('SIGTERM');
  const killer = setTimeout(() => running.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(killer);
});

describe('npm start', () => {
  it('suggests a dry run, never a release, when it runs against a real account', async () => {
    // CALLFIRE_SECRET_ID set: real mode. Nothing is called at startup; the test stops it at once.
    const printed = await start({
      CALLFIRE_SECRET_ID: 'prod/callfire',
      CALLFIRE_SOAP_ENDPOINT: 'http://127.0.0.1:9/not-called',
      AWS_REGION: 'us-east-1',
    });

    expect(printed).toContain('RELEASES ARE REAL');
    const curls = printed.split('\n').filter((line) => line.includes('curl'));
    expect(curls).toHaveLength(1);
    expect(curls[0]).toContain('"dryRun":true');
    expect(curls[0]).not.toContain('keywords');
  });

  it('shows the protected number and how to see the guard, on the stand-ins', async () => {
    const printed = await start({});

    expect(printed).toMatch(
      /Protected \(never released, listed in \/callfire-release\/local\/protected-items\): 14255551213/,
    );
    expect(printed).not.toContain('NodeVersionSupportWarning');
  });

  it('walks through a bulk job of 1,000 sandbox numbers on the local S3 and Step Functions', async () => {
    const printed = await start({});

    expect(printed).toContain(
      'seq 13125550000 13125550999 | jq -R . | jq -cs \'{jobId: "bulk-1", numbers: .}\'',
    );
    expect(printed).toMatch(/curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/release-jobs /);
    expect(printed).toMatch(
      /Local S3: +http:\/\/127\.0\.0\.1:\d+ \(bucket callfire-release-local-jobs\)/,
    );
    expect(printed).toMatch(/Local Step Functions: +http:\/\/127\.0\.0\.1:\d+ \(arn:aws:states:/);
  });
});
