/**
 * `npm start`: the bundled function (dist/release/handler.js) behind a local HTTP API.
 *
 * Without CALLFIRE_SECRET_ID in the environment it runs entirely on this machine: the CallFire
 * sandbox and a local Secrets Manager start first, and the environment points the function at
 * them. With CALLFIRE_SECRET_ID set it starts no stand-in and the releases are REAL.
 *
 * The environment is complete before the bundle is required, because the handler reads its
 * configuration when it loads (as in a Lambda init phase).
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DEFAULT_CALLFIRE_ENDPOINT as CALLFIRE_PRODUCTION_ENDPOINT } from '../functions/release/callfire/contract';
import { type HttpApiHandler, startHttpApiDevServer } from './http-api-dev-server';
import { type StandIns, startStandIns } from './stand-ins';

async function main(): Promise<void> {
  const port = listenPort(process.env.PORT);
  let standIns: StandIns | undefined;
  // Empty counts as unset: falling back to the stand-ins is the safe reading of an ambiguous value.
  if (!process.env.CALLFIRE_SECRET_ID) {
    standIns = await startStandIns();
    Object.assign(process.env, standIns.env);
    // Dummies only where nothing is set: the SDK needs a region and something to sign with.
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'local-access-key';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local-secret-key';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  } else {
    warnReleasesAreReal();
  }

  const handler = loadBundledHandler();
  const server = await startHttpApiDevServer({ handler, port });
  printUsage(server.url, standIns);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C: do not wait for anything
    stopping = true;
    process.stdout.write(`\n${signal}: shutting down\n`);
    Promise.all([server.close(), standIns?.close()]).then(
      // exit() rather than draining: the bundle may hold keep-alive sockets and timers.
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function loadBundledHandler(): HttpApiHandler {
  const bundle = path.resolve(import.meta.dirname, '../dist/release/handler.js');
  if (!existsSync(bundle)) {
    throw new Error(`${bundle} does not exist: run \`npm run build\` first (\`npm start\` does)`);
  }
  const loaded: unknown = createRequire(import.meta.url)(bundle);
  const handler = (loaded as { handler?: unknown } | null)?.handler;
  if (typeof handler !== 'function') {
    throw new Error(`${bundle} exports no \`handler\` function`);
  }
  return handler as HttpApiHandler;
}

function listenPort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a TCP port number, got ${JSON.stringify(value)}`);
  }
  return port;
}

function warnReleasesAreReal(): void {
  const endpoint = process.env.CALLFIRE_SOAP_ENDPOINT;
  const secretsManager = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  const bar = '!'.repeat(78);
  process.stderr.write(
    [
      bar,
      '!! CALLFIRE_SECRET_ID is set: no local stand-ins are running.',
      '!! RELEASES ARE REAL: every release turns auto-renew off on a CallFire account.',
      endpoint === undefined
        ? `!! CallFire endpoint: PRODUCTION (${CALLFIRE_PRODUCTION_ENDPOINT}).`
        : `!! CallFire endpoint: ${endpoint} (CALLFIRE_SOAP_ENDPOINT).`,
      `!! Credentials: secret ${process.env.CALLFIRE_SECRET_ID} from ${secretsManager ?? 'AWS Secrets Manager of your current AWS credentials'}.`,
      '!! Unset CALLFIRE_SECRET_ID to run against the local sandbox instead.',
      bar,
      '',
    ].join('\n'),
  );
}

function printUsage(url: string, standIns: StandIns | undefined): void {
  const lines = [
    `callfire-release listening on ${url} (API Gateway HTTP API payload 2.0, $default route)`,
    '',
    standIns === undefined ? 'Try (this RELEASES FOR REAL):' : 'Try:',
    `  curl -s -X POST ${url}/releases -H 'content-type: application/json' -d '{"numbers":["14255551212"],"keywords":["VANILLA"],"confirmKeywordRelease":true}'`,
  ];
  if (standIns !== undefined) {
    const control = new URL('/_sandbox', standIns.sandbox.url).href;
    lines.push(
      '',
      `CallFire sandbox:      ${standIns.sandbox.url}`,
      `Local Secrets Manager: ${standIns.secretsManager.endpoint} (secret ${standIns.env.CALLFIRE_SECRET_ID})`,
      'Sandbox control API (no auth):',
      `  curl -s ${control}/calls      # every SOAP call the sandbox received`,
      `  curl -s ${control}/account    # numbers and keywords with their autoRenew flags`,
      `  curl -s -X POST ${control}/faults -d '{"fault":{"type":"fault","code":"UNAVAILABLE"},"times":2}'`,
      `  curl -s -X POST ${control}/reset`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
