/**
 * The benchmark's servers, in a process of their own so that their CPU is not counted against the
 * function: the CallFire sandbox (local/callfire-sandbox.ts, default account, control API under
 * `/_sandbox/`), the local Secrets Manager (local/secrets-manager.ts) holding the sandbox's API
 * login as the function's secret, and the local Parameter Store (local/ssm.ts) holding the
 * protected-items list the deployed function reads. A third small server exposes the Secrets Manager's request log,
 * which lives in this process:
 *
 *   GET  <secretsControl>/requests   {"count": n, "requests": [{"target", "secretId", "at"}]}
 *   POST <secretsControl>/reset      clears the log
 *
 *   node --import tsx bench/servers.ts
 *
 * Prints one JSON line ({@link ServersInfo}) once everything listens; exits on SIGTERM/SIGINT or
 * when its stdin ends (the benchmark that started it is gone).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { SANDBOX_CREDENTIALS, startCallFireSandbox } from '../local/callfire-sandbox';
import { listenOnLoopback } from '../local/loopback-server';
import { startLocalSecretsManager } from '../local/secrets-manager';
import { startLocalSsm } from '../local/ssm';
import { LOCAL_PROTECTED_ITEMS, LOCAL_PROTECTED_ITEMS_PARAMETER } from '../local/stand-ins';

/** The secret id the benchmark's function reads. */
const BENCH_SECRET_ID = 'callfire/bench';

/** The line servers.ts prints. */
export interface ServersInfo {
  /** CALLFIRE_SOAP_ENDPOINT */
  sandboxUrl: string;
  /** `http://127.0.0.1:<port>/_sandbox/` */
  sandboxControl: string;
  /** AWS_ENDPOINT_URL_SECRETS_MANAGER */
  secretsEndpoint: string;
  /** `http://127.0.0.1:<port>` of the request-log server above. */
  secretsControl: string;
  /** AWS_ENDPOINT_URL_SSM: the Parameter Store holding the protected items, as deployed. */
  ssmEndpoint: string;
  protectedItemsParameter: string;
  secretId: string;
  username: string;
  password: string;
  pid: number;
}

async function main(): Promise<void> {
  const { username, password } = SANDBOX_CREDENTIALS;
  const sandbox = await startCallFireSandbox();
  const secrets = await startLocalSecretsManager({
    secrets: { [BENCH_SECRET_ID]: JSON.stringify({ username, password }) },
  });
  // As deployed, the function reads a protected-items list (none of the bulk block is on it).
  const ssm = await startLocalSsm({
    parameters: { [LOCAL_PROTECTED_ITEMS_PARAMETER]: LOCAL_PROTECTED_ITEMS },
  });
  const control = await listenOnLoopback(
    async (request: IncomingMessage, response: ServerResponse) => {
      request.resume();
      const send = (status: number, value: unknown) => {
        const body = JSON.stringify(value);
        response.writeHead(status, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        });
        response.end(body);
      };
      if (request.method === 'GET' && request.url === '/requests') {
        send(200, { count: secrets.requests.length, requests: secrets.requests });
      } else if (request.method === 'POST' && request.url === '/reset') {
        secrets.requests.length = 0;
        send(200, { reset: true });
      } else {
        send(404, { error: 'GET /requests or POST /reset' });
      }
    },
  );

  const info: ServersInfo = {
    sandboxUrl: sandbox.url,
    sandboxControl: new URL('/_sandbox/', sandbox.url).href,
    secretsEndpoint: secrets.endpoint,
    secretsControl: control.origin,
    ssmEndpoint: ssm.endpoint,
    protectedItemsParameter: LOCAL_PROTECTED_ITEMS_PARAMETER,
    secretId: BENCH_SECRET_ID,
    username,
    password,
    pid: process.pid,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);

  const stop = () => {
    Promise.all([sandbox.close(), secrets.close(), ssm.close(), control.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The benchmark holds our stdin open: when it dies without stopping us, stdin ends, and so do we.
  process.stdin.once('end', stop);
  process.stdin.resume();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench servers: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
