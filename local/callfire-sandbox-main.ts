/**
 * The CallFire sandbox as a process of its own: `npx tsx local/callfire-sandbox-main.ts --port 4010
 * [--latency-ms 50] [--max-page-size 2]`. Once it listens it prints one JSON line, `{"url",
 * "control", "username", "password"}`, for a parent process to read; exits on SIGTERM/SIGINT.
 */

import { parseArgs } from 'node:util';
import { SANDBOX_CREDENTIALS, startCallFireSandbox } from './callfire-sandbox';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'latency-ms': { type: 'string', default: '0' },
    'max-page-size': { type: 'string', default: '1000' },
  },
});
function flag(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (Number.isSafeInteger(value) && value >= 0) return value;
  throw new Error(`--${name} must be a whole number, got ${values[name]}`);
}

async function main(): Promise<void> {
  const maxPageSize = Math.max(1, flag('max-page-size'));
  const sandbox = await startCallFireSandbox({
    port: flag('port'),
    latencyMs: flag('latency-ms'),
    maxPageSize,
  });
  const control = new URL('/_sandbox/', sandbox.url).href;
  const printed = { url: sandbox.url, control, ...SANDBOX_CREDENTIALS };
  process.stdout.write(`${JSON.stringify(printed)}\n`);
  const stop = () => sandbox.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`callfire-sandbox: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
