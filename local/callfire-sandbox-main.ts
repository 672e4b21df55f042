/**
 * Runs the CallFire sandbox as a process of its own (for benchmarks and manual poking):
 *
 *   npx tsx local/callfire-sandbox-main.ts --port 4010 [--latency-ms 50] [--max-page-size 2]
 *
 * Prints one JSON line, `{"url": ..., "control": ..., "username": ..., "password": ...}`, once it
 * listens, so a parent process can read where it is; exits on SIGTERM/SIGINT.
 */

import { parseArgs } from 'node:util';
import { SANDBOX_CREDENTIALS, startCallFireSandbox } from './callfire-sandbox';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'latency-ms': { type: 'string', default: '0' },
      'max-page-size': { type: 'string', default: '1000' },
    },
  });
  const port = wholeNumber(values.port, '--port');
  const sandbox = await startCallFireSandbox({
    port,
    latencyMs: wholeNumber(values['latency-ms'], '--latency-ms'),
    maxPageSize: Math.max(1, wholeNumber(values['max-page-size'], '--max-page-size')),
  });
  const { username, password } = SANDBOX_CREDENTIALS;
  const control = new URL('/_sandbox/', sandbox.url).href;
  process.stdout.write(`${JSON.stringify({ url: sandbox.url, control, username, password })}\n`);

  const stop = () => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function wholeNumber(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new Error(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return number;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `callfire-sandbox: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
