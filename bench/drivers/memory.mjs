// Memory child (figure 4), run by plain `node --expose-gc`. Loads the bundle and serves BENCH_REQUESTS
// (50) maximum-size HTTP API requests (payload 2.0, 100 numbers in the body) one after another, then
// reports process.resourceUsage().maxRSS (peak resident set of the whole process so far, KB). It
// then serves BENCH_EXTRA_REQUESTS (100) more, only to see whether the heap keeps growing once warm.
// It forces a full GC and samples the heap after request 5 ("the first few"), after the last
// measured request (its peak RSS already taken), and every 25 requests after that; no other forced
// GC, so that none lowers the peak.
//
// env: BENCH_BUNDLE, BENCH_EVENT (the 100-number HTTP API event, JSON), BENCH_REQUESTS,
//      BENCH_EXTRA_REQUESTS, ...
// Prints BENCH:{"requests", "maxRssKb", "maxRssKbAtEnd", "afterLoad", "checkpoints": [...]}.
import { lambdaContext, loadHandler, report, run } from './common.mjs';

run(async () => {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  const requests = Number(process.env.BENCH_REQUESTS ?? 50);
  const extra = Number(process.env.BENCH_EXTRA_REQUESTS ?? 100);
  const event = JSON.parse(process.env.BENCH_EVENT ?? '{}');
  const handler = loadHandler();
  await new Promise((resolve) => setImmediate(resolve));
  const afterLoad = { maxRssKb: process.resourceUsage().maxRSS, rss: process.memoryUsage().rss };

  let maxRssKb = 0;
  const checkpoints = [];
  for (let request = 1; request <= requests + extra; request++) {
    const answer = await handler(structuredClone(event), lambdaContext());
    const released = JSON.parse(answer.body).summary?.released;
    if (answer.statusCode !== 200 || released !== 100) {
      throw new Error(`request ${request}: HTTP ${answer.statusCode}, released ${released}`);
    }
    // The figure: peak RSS over the first `requests`, before any forced GC could lower it.
    if (request === requests) maxRssKb = process.resourceUsage().maxRSS;
    if (request === 5 || request === requests || (request > requests && request % 25 === 0)) {
      globalThis.gc();
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
