// Investigation child, run by plain `node`: the load cost of one dependency on its own, unbundled
// (from node_modules, as the nodejs22.x runtime would load an SDK it ships).
//
// BENCH_WHAT=soap: require('soap'), then createClientAsync(BENCH_WSDL, {forceSoap12Headers: true})
//                  (the function's client, standalone); reports requireMs and createMs.
// BENCH_WHAT=sdk:  require('@aws-sdk/client-secrets-manager') and new SecretsManagerClient({}).
// BENCH_WHAT=undici: first access to globalThis.Request (Node loads undici lazily).
// Prints BENCH:{what, requireMs, createMs, startMs}.
import { createRequire } from 'node:module';

const startMs = performance.now();
const require = createRequire(import.meta.url);
const what = process.env.BENCH_WHAT ?? 'soap';

let requireMs;
let createMs;
if (what === 'soap') {
  let started = performance.now();
  const soap = require('soap');
  requireMs = performance.now() - started;
  started = performance.now();
  await soap.createClientAsync(process.env.BENCH_WSDL, {
    forceSoap12Headers: true,
    endpoint: 'http://127.0.0.1:9/api/1.1/soap12/number',
    disableCache: true,
  });
  createMs = performance.now() - started;
} else if (what === 'sdk') {
  let started = performance.now();
  const { SecretsManagerClient } = require('@aws-sdk/client-secrets-manager');
  requireMs = performance.now() - started;
  started = performance.now();
  new SecretsManagerClient({});
  createMs = performance.now() - started;
} else if (what === 'undici') {
  // What axios does at load (its fetch adapter probes Request/Response/ReadableStream): Node
  // loads its bundled undici on first access to these lazy globals.
  const started = performance.now();
  void globalThis.Request;
  requireMs = performance.now() - started;
  createMs = 0;
} else {
  throw new Error(`unknown BENCH_WHAT ${what}`);
}
process.stdout.write(`BENCH:${JSON.stringify({ what, requireMs, createMs, startMs })}\n`);
