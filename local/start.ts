/**
 * `npm start`: the bundled functions behind a local HTTP API: `/release-jobs` and the paths under
 * it served by the job API (dist/jobs/handler.js), every other path by the release function
 * (dist/release/handler.js).
 *
 * Without CALLFIRE_SECRET_ID in the environment it runs entirely on this machine: the stand-ins
 * start first, the environment points the functions at them, and the local Step Functions
 * endpoint runs jobs with the bundles' handlers. With CALLFIRE_SECRET_ID set it starts none, and
 * the releases are REAL. The environment is complete before the bundles are required, because
 * the handlers read their configuration when they load (a Lambda init phase).
 */

import { createRequire } from 'node:module';
import { JOBS_PATH } from '../functions/jobs/routes';
import { DEFAULT_CALLFIRE_ENDPOINT } from '../functions/release/callfire/contract';
import { BULK_NUMBER_FIRST } from './callfire-default-account';
import { type HttpApiHandler, startHttpApiDevServer } from './http-api-dev-server';
import type { LambdaHandler as Handler } from './release-job-runner';
import {
  LOCAL_PROTECTED_ITEMS,
  LOCAL_PROTECTED_ITEMS_PARAMETER,
  type StandIns,
  startStandIns,
} from './stand-ins';

async function main(): Promise<void> {
  const port = Number(process.env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT ${port}?`);
  // The SDK's warning that its 2027 releases need Node 22: known, and noise on this machine's Node
  // 20 (the deployed runtime is Node 22).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let standIns: StandIns | undefined;
  // Empty counts as unset: falling back to the stand-ins is the safe reading of an ambiguous value.
  if (!process.env.CALLFIRE_SECRET_ID) {
    standIns = await startStandIns();
    // Defaults only where nothing is set: the SDK needs a region (the stand-ins' env brings the
    // credentials the local S3 takes); 4 batches of a job in flight, the deployed default.
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      POWERTOOLS_METRICS_DISABLED: 'true',
      JOB_MAX_CONCURRENCY: '4',
      ...process.env,
      ...standIns.env,
    });
  } else {
    warnReleasesAreReal();
  }
  // A missing bundle fails here with the path in the message: `npm start` builds them first.
  const load = createRequire(import.meta.url);
  const release = load('../dist/release/handler.js') as { handler: HttpApiHandler };
  const jobs = load('../dist/jobs/handler.js') as { handler: HttpApiHandler; finalize: Handler };
  standIns?.deployReleaseJob({ release: release.handler as Handler, finalize: jobs.finalize });
  const routes = { [JOBS_PATH]: jobs.handler };
  const server = await startHttpApiDevServer({ handler: release.handler, routes, port });
  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`\n${signal}: shutting down\n`);
    process.once(signal, () => process.exit(130)); // a second Ctrl-C: wait for nothing
    // exit() rather than draining: the bundle may hold keep-alive sockets and timers.
    Promise.all([server.close(), standIns?.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Only now: whoever reads this may stop us at once, and must not find the signals unhandled.
  printUsage(server.url, standIns);
}

function warnReleasesAreReal(): void {
  const { CALLFIRE_SOAP_ENDPOINT: endpoint, CALLFIRE_SECRET_ID: secret } = process.env;
  const where = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? 'AWS Secrets Manager';
  process.stderr.write(
    `${'!'.repeat(78)}\n!! CALLFIRE_SECRET_ID is set: no local stand-ins are running.\n` +
      '!! RELEASES ARE REAL: every release turns auto-renew off on a CallFire account.\n' +
      `!! CallFire endpoint: ${endpoint ?? `PRODUCTION (${DEFAULT_CALLFIRE_ENDPOINT})`}.\n` +
      `!! Credentials: secret ${secret} from ${where}.\n` +
      `!! Unset CALLFIRE_SECRET_ID to run against the local sandbox instead.\n${'!'.repeat(78)}\n`,
  );
}

function printUsage(url: string, standIns: StandIns | undefined): void {
  // Against the real account the suggestion only looks: a newcomer's first paste must not release.
  const body = standIns
    ? '{"numbers":["14255551212"],"keywords":["VANILLA"],"confirmKeywordRelease":true}'
    : '{"numbers":["14255551212"],"dryRun":true}';
  const curl = (json: string) =>
    `  curl -s -X POST ${url}/releases -H 'content-type: application/json' -d '${json}'`;
  const lines = [
    `callfire-release listening on ${url} (API Gateway HTTP API payload 2.0, $default route)`,
    standIns ? '\nTry:' : '\nTry (a dry run against the REAL account: nothing is released):',
    curl(body),
  ];
  if (standIns) {
    lines.push(
      `\nProtected (never released, listed in ${LOCAL_PROTECTED_ITEMS_PARAMETER}): ${protectedItems()}`,
      'Watch the guard: the protected number ends "skipped" with reason "PROTECTED":',
      curl('{"numbers":["14255551212","14255551213"]}'),
    );
  }
  if (standIns !== undefined) {
    const { sandbox, secretsManager, ssm, env } = standIns;
    const control = new URL('/_sandbox', sandbox.url).href;
    lines.push(
      ...bulkJobWalkThrough(url, control),
      `\nCallFire sandbox:       ${sandbox.url}`,
      `Local Secrets Manager:  ${secretsManager.endpoint} (secret ${env.CALLFIRE_SECRET_ID})`,
      `Local Parameter Store:  ${ssm.endpoint} (parameter ${LOCAL_PROTECTED_ITEMS_PARAMETER})`,
      `Local S3:               ${env.AWS_ENDPOINT_URL_S3} (bucket ${env.JOBS_BUCKET})`,
      `Local Step Functions:   ${env.AWS_ENDPOINT_URL_SFN} (${env.RELEASE_JOB_STATE_MACHINE_ARN})`,
      'Sandbox control API (no auth):',
      `  curl -s ${control}/calls      # every SOAP call the sandbox received`,
      `  curl -s ${control}/account    # numbers and keywords with their autoRenew flags`,
      `  curl -s -X POST ${control}/faults -d '{"fault":{"type":"fault","code":"UNAVAILABLE"},"times":2}'`,
      `  curl -s -X POST ${control}/reset`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A job of 1,000 sandbox numbers: start it, watch `done` grow, download its results. */
function bulkJobWalkThrough(url: string, control: string): string[] {
  const first = BULK_NUMBER_FIRST;
  const job = `${url}/release-jobs/bulk-1`;
  return [
    `\nBulk job: 1,000 numbers of the sandbox, in batches of 100, ${process.env.JOB_MAX_CONCURRENCY} batches at a time.`,
    'Slow CallFire down to 50 ms a call so that the progress shows, then start the job:',
    `  curl -s -X PUT ${control}/latency -d '{"ms":50}'`,
    `  seq ${first} ${first + 999} | jq -R . | jq -cs '{jobId: "bulk-1", numbers: .}' |`,
    `    curl -s -X POST ${url}/release-jobs -H 'content-type: application/json' -d @-`,
    'Poll it: "done" grows batch by batch until the status is SUCCEEDED:',
    `  watch -n 0.5 "curl -s ${job} | jq -c '{status, counts}'"`,
    'Download the results (one CSV row per number) from the URL the job gives:',
    `  curl -s "$(curl -s ${job} | jq -r .results.url)" -o bulk-1.csv && wc -l bulk-1.csv`,
  ];
}

function protectedItems(): string {
  const lines = LOCAL_PROTECTED_ITEMS.split('\n').map((line) => line.replace(/#.*/, '').trim());
  return lines.filter(Boolean).join(', ');
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
