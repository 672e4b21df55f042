/**
 * Memory child (figure 4; method in bench/README.md), run by `node --expose-gc`: BENCH_REQUESTS
 * requests, peak RSS, then BENCH_EXTRA_REQUESTS more to see whether the heap settles. GC is forced
 * only where the heap is sampled, and never before the peak is read, so that none lowers it.
 *
 * env: BENCH_BUNDLE, BENCH_EVENT (the 100-number HTTP API event, JSON), BENCH_REQUESTS (50),
 *      BENCH_EXTRA_REQUESTS (100), and the function's own variables.
 * Prints BENCH:{"requests", "extra", "maxRssKb", "maxRssKbAtEnd", "afterLoad", "checkpoints"}.
 */

import { benchContext, loadHandler, report, run } from './common';

run(async () => {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('run with --expose-gc');
  const requests = Number(process.env.BENCH_REQUESTS ?? 50);
  const extra = Number(process.env.BENCH_EXTRA_REQUESTS ?? 100);
  const event: unknown = JSON.parse(process.env.BENCH_EVENT ?? '{}');
  const handler = loadHandler();
  await new Promise((resolve) => setImmediate(resolve));
  const afterLoad = { maxRssKb: process.resourceUsage().maxRSS, rss: process.memoryUsage().rss };

  let maxRssKb = 0;
  const checkpoints = [];
  for (let request = 1; request <= requests + extra; request++) {
    const answer = (await handler(structuredClone(event), benchContext())) as {
      statusCode: number;
      body: string;
    };
    const released = JSON.parse(answer.body).summary?.released;
    if (answer.statusCode !== 200 || released !== 100) {
      throw new Error(`request ${request}: HTTP ${answer.statusCode}, released ${released}`);
    }
    if (request === requests) maxRssKb = process.resourceUsage().maxRSS;
    if (request === 5 || request === requests || (request > requests && request % 25 === 0)) {
      gc();
      const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
      checkpoints.push({ request, heapUsed, rss, external, arrayBuffers });
    }
  }
  report({
    requests,
    extra,
    maxRssKb,
    maxRssKbAtEnd: process.resourceUsage().maxRSS,
    afterLoad,
    checkpoints,
  });
});
