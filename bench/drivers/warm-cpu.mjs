// Per-release CPU child (figure 2), run by plain `node`. The servers run in another process, so
// process.cpuUsage() here counts only the client side of each release.
//
// Modes, run in interleaved rounds (the order rotates every round), each round releasing
// BENCH_PER_ROUND numbers of the sandbox's bulk block, 8 in flight:
//   handler  the bundle's warm handler, direct invocation {numbers: [100 numbers]}
//            (RELEASE_CONCURRENCY from the environment, 8 by default)
//   raw      the floor: node:http POST of a hand-built SOAP 1.2 Release envelope (the bytes the
//            soap client sends), keep-alive agent, response read to the end and checked
//   soap     context: the `soap` package alone (unbundled, from node_modules), a client from the
//            same WSDL calling ReleaseAsync with the function's per-call options
//   soap-noredirect  the same with axios' maxRedirects: 0 (investigation)
//
// env: BENCH_BUNDLE, BENCH_MODES (default handler,raw,soap), BENCH_ROUNDS (10),
//      BENCH_PER_ROUND (500, a multiple of 100), BENCH_WARMUP (300 releases per mode),
//      BENCH_WSDL (soap mode), BENCH_USERNAME, BENCH_PASSWORD, CALLFIRE_SOAP_ENDPOINT, ...
// Prints BENCH:{"rounds": [{mode, releases, userUs, systemUs, wallMs}], ...}.
import http from 'node:http';
import { createRequire } from 'node:module';
import {
  AGENT_OPTIONS,
  basicAuthorization,
  bulkNumbers,
  createRawRelease,
  expectReleased,
  lambdaContext,
  loadHandler,
  report,
  run,
  withConcurrency,
} from './common.mjs';

const require = createRequire(import.meta.url);
const CONCURRENCY = 8;

const env = process.env;
const modes = (env.BENCH_MODES ?? 'handler,raw,soap').split(',');
const rounds = Number(env.BENCH_ROUNDS ?? 10);
const perRound = Number(env.BENCH_PER_ROUND ?? 500);
const warmup = Number(env.BENCH_WARMUP ?? 300);
const numbers = bulkNumbers(200);

function createRaw() {
  const release = createRawRelease();
  return (count) =>
    withConcurrency(count, CONCURRENCY, (index) => release(numbers[index % numbers.length]));
}

async function createSoap(perCall = {}) {
  const soap = require('soap');
  const client = await soap.createClientAsync(env.BENCH_WSDL, {
    forceSoap12Headers: true,
    endpoint: env.CALLFIRE_SOAP_ENDPOINT,
    disableCache: true,
  });
  const transport = {
    httpAgent: new http.Agent(AGENT_OPTIONS),
    httpsAgent: new http.Agent(AGENT_OPTIONS),
  };
  const authorization = basicAuthorization();
  const release = (number) =>
    client.ReleaseAsync(
      { Number: number },
      { ...transport, ...perCall, signal: AbortSignal.timeout(10_000) },
      { Authorization: authorization },
    );
  return (count) =>
    withConcurrency(count, CONCURRENCY, (index) => release(numbers[index % numbers.length]));
}

function createHandlerMode() {
  const handler = loadHandler();
  const blocks = [numbers.slice(0, 100), numbers.slice(100, 200)];
  let turn = 0;
  return async (count) => {
    for (let done = 0; done < count; done += 100) {
      const batch = blocks[turn++ % blocks.length];
      expectReleased(await handler({ numbers: batch }, lambdaContext()), 100);
    }
  };
}

run(async () => {
  const runners = {};
  for (const mode of modes) {
    if (mode === 'handler') runners[mode] = createHandlerMode();
    else if (mode === 'raw') runners[mode] = createRaw();
    else if (mode === 'soap') runners[mode] = await createSoap();
    // axios without follow-redirects (used whenever maxRedirects is not 0): native http directly.
    else if (mode === 'soap-noredirect') runners[mode] = await createSoap({ maxRedirects: 0 });
    else throw new Error(`unknown mode ${mode}`);
  }
  for (const mode of modes) await runners[mode](warmup);

  const results = [];
  // CLOCK_MONOTONIC µs, the clock of --cpu-prof timestamps: the window of the measured rounds.
  const roundsFromUs = Number(process.hrtime.bigint() / 1000n);
  for (let round = 0; round < rounds; round++) {
    const order = modes.map((_, index) => modes[(index + round) % modes.length]);
    for (const mode of order) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await runners[mode](perRound);
      const wallMs = performance.now() - started;
      const { user, system } = process.cpuUsage(cpu);
      results.push({ mode, round, releases: perRound, userUs: user, systemUs: system, wallMs });
    }
  }
  const roundsToUs = Number(process.hrtime.bigint() / 1000n);
  report({ rounds: results, roundsFromUs, roundsToUs, memory: process.memoryUsage() });
});
