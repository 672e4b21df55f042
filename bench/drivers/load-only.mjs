// Investigation child, run by plain `node`: loads a bundle and waits one setImmediate (so what the
// bundle starts at init, such as the soap client, is done), then reports and exits. For "what if"
// bundles with packages stubbed out, which load but cannot serve a request.
//
// env: BENCH_BUNDLE. Prints BENCH:{startMs, requireMs, initMs}.
import { createRequire } from 'node:module';

const startMs = performance.now();
const require = createRequire(import.meta.url);
const requireStart = performance.now();
require(process.env.BENCH_BUNDLE);
const requireEnd = performance.now();
await new Promise((resolve) => setImmediate(resolve));
const initEnd = performance.now();
process.stdout.write(
  `BENCH:${JSON.stringify({ startMs, requireMs: requireEnd - requireStart, initMs: initEnd - requireEnd })}\n`,
);
process.exit(0);
