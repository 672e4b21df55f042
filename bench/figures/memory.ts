/**
 * Figure 4, memory: a fresh `node --expose-gc` process (bench/drivers/memory.ts) serving 50
 * maximum-size HTTP API requests (peak RSS), then 100 more to see the heap settle, beside the peak
 * RSS of `node -e` alone (context).
 */

import { httpApiEvent } from '../../test/fixtures/events';
import { bulkNumbers } from '../drivers/common';
import { driver } from '../lib/drivers';
import { firstReport, runNode, type Servers } from '../lib/processes';

export const REQUESTS = 50;
/**
 * The V8 heap flags the Lambda Node.js runtime's bootstrap derives from a 128 MB memory size in
 * public copies of it (new space = memory / 10, semi-space = half of it, old space = the rest).
 */
export const LAMBDA_128_FLAGS = ['--max-semi-space-size=6', '--max-old-space-size=116'];
export const EXTRA_REQUESTS = 100;

interface Checkpoint {
  request: number;
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

export interface MemoryResult {
  requests: number;
  /** maxRSS after the 50 requests, MiB. */
  peakRssMb: number;
  /** maxRSS after the extra requests too, MiB. */
  peakRssAtEndMb: number;
  /** Peak RSS of a bare `node` process, MiB. */
  nodeFloorRssMb: number;
  afterLoadRssMb: number;
  /** heapUsed after a full GC, MiB: after request 5, after request 50, after the last. */
  heapAfterFirstMb: number;
  heapAfterRequestsMb: number;
  heapAfterLastMb: number;
  /** 50 minus 5: mostly warm-up (inline caches, compiled code, SDK and Powertools state). */
  heapGrowthWarmupMb: number;
  /** The last 50 requests (100 → 150): what a leak proportional to requests keeps showing. */
  heapGrowthWarmMb: number;
  checkpoints: Checkpoint[];
}

const MB = 1024 * 1024;

export async function measureMemory(
  servers: Servers,
  options: { bundle: string; nodeArgs?: string[]; extraRequests?: number },
): Promise<MemoryResult> {
  const extra = options.extraRequests ?? EXTRA_REQUESTS;
  await servers.sandbox('POST', 'reset');
  const event = httpApiEvent({ body: JSON.stringify({ numbers: bulkNumbers(100) }) });
  const run = await runNode(
    [...(options.nodeArgs ?? []), '--expose-gc', driver('memory')],
    servers.functionEnv({
      BENCH_BUNDLE: options.bundle,
      BENCH_EVENT: JSON.stringify(event),
      BENCH_REQUESTS: String(REQUESTS),
      BENCH_EXTRA_REQUESTS: String(extra),
    }),
  );
  const report = firstReport<{
    maxRssKb: number;
    maxRssKbAtEnd: number;
    afterLoad: { maxRssKb: number; rss: number };
    checkpoints: Checkpoint[];
  }>(run, 'memory driver');
  const floorRun = await runNode(
    [
      '-e',
      `process.stdout.write('BENCH:'+JSON.stringify({maxRssKb: process.resourceUsage().maxRSS})+'\\n')`,
    ],
    servers.functionEnv(),
  );
  const floor = firstReport<{ maxRssKb: number }>(floorRun, 'node floor');

  const at = (request: number) => report.checkpoints.find((point) => point.request === request);
  const first = at(5);
  const measured = at(REQUESTS);
  const last = report.checkpoints.at(-1);
  const beforeLast = at(REQUESTS + extra - 50) ?? measured;
  if (!first || !measured || !last || !beforeLast) throw new Error('memory driver: no checkpoints');
  return {
    requests: REQUESTS,
    peakRssMb: report.maxRssKb / 1024,
    peakRssAtEndMb: report.maxRssKbAtEnd / 1024,
    nodeFloorRssMb: floor.maxRssKb / 1024,
    afterLoadRssMb: report.afterLoad.maxRssKb / 1024,
    heapAfterFirstMb: first.heapUsed / MB,
    heapAfterRequestsMb: measured.heapUsed / MB,
    heapAfterLastMb: last.heapUsed / MB,
    heapGrowthWarmupMb: (measured.heapUsed - first.heapUsed) / MB,
    heapGrowthWarmMb: (last.heapUsed - beforeLast.heapUsed) / MB,
    checkpoints: report.checkpoints,
  };
}
