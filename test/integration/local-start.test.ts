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

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
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
});
