/** The one table `npm run bench` prints, and its rows as results.json keeps them. */

import type { BulkPoint } from '../figures/bulk';
import type { BundleResult } from '../figures/bundle';
import type { ColdStartResult } from '../figures/cold-start';
import type { CpuResult } from '../figures/cpu';
import type { JobResult } from '../figures/job';
import type { MemoryResult } from '../figures/memory';
import { round } from './stats';

export interface Row {
  figure: string;
  measured: string;
  floor: string;
  ratio: string;
  target: string;
  /** 'yes' / 'NO' for a target, '' for a context row. */
  met: string;
  /** The numbers behind the strings. */
  values?: Record<string, number>;
}

/** Bundle sizes are in MB of 10^6 bytes (the stricter reading of "1.0 MB"); memory in MiB. */
const MB = 1_000_000;
const ms = (value: number) => `${round(value, 0)} ms`;
const times = (value: number) => `${round(value, 2).toFixed(2)}×`;
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
const signed = (value: number) => `${value >= 0 ? '+' : ''}${round(value, 2)}`;

export function rowsOf(figures: {
  coldStart: ColdStartResult;
  cpu: CpuResult;
  bulk: BulkPoint[];
  memory: MemoryResult;
  memoryLambda: MemoryResult;
  bundle: BundleResult;
  job: JobResult;
}): Row[] {
  const { coldStart: cold, cpu, bulk, memory, memoryLambda, bundle, job } = figures;
  const c = cold.median;
  const context = (figure: string, measured: string, floor = '', ratio = ''): Row => ({
    figure,
    measured,
    floor,
    ratio,
    target: '',
    met: '',
  });
  const rows: Row[] = [
    {
      figure: `1 cold start, spawn → HTTP answer (median of ${cold.runs})`,
      measured: ms(c.cold),
      floor: `node -e 0: ${ms(c.floor)}`,
      ratio: times(cold.ratio),
      target: '≤ 2.5×',
      met: yes(cold.ratio <= 2.5),
      values: { coldMs: c.cold, floorMs: c.floor, ratio: cold.ratio },
    },
    context(
      '  1a node start + driver (to require)',
      ms(c.processAndDriver),
      `driver alone: ${ms(c.driverFloor)}`,
    ),
    context('  1b module load: require(bundle)', ms(c.moduleLoad)),
    context('  1c soap client creation (at init)', ms(c.clientCreation)),
    context(
      '  1d secret read (invoke → 1st CallFire request)',
      ms(c.secretRead),
      `GetSecretValue RTT ${ms(c.secretRoundTrip)}`,
    ),
    context(
      '  1e first CallFire call (→ answer)',
      ms(c.firstCall),
      `warm invocation: ${ms(c.warmInvocation)}`,
    ),
    {
      figure: `2 CPU per release, warm handler (${cpu.releasesPerMode} releases, c=8)`,
      measured: `${round(cpu.usPerRelease.handler ?? Number.NaN, 0)} µs`,
      floor: `raw POST: ${round(cpu.usPerRelease.raw ?? Number.NaN, 0)} µs`,
      ratio: `${times(cpu.ratio)} (rounds ${times(cpu.ratioSpread.min)}–${times(cpu.ratioSpread.max)})`,
      target: '≤ 2.0×',
      met: yes(cpu.ratio <= 2),
      values: {
        handlerUs: cpu.usPerRelease.handler ?? Number.NaN,
        rawUs: cpu.usPerRelease.raw ?? Number.NaN,
        ratio: cpu.ratio,
      },
    },
    context(
      '  2a soap package alone (context)',
      `${round(cpu.usPerRelease.soap ?? Number.NaN, 0)} µs`,
      `raw POST: ${round(cpu.contextRawUs, 0)} µs (its own process)`,
      times(cpu.soapRatio),
    ),
  ];
  for (const point of bulk) {
    const main = point.mode === 'handler' && point.concurrency === 8;
    rows.push({
      figure: main
        ? '3 bulk: 100 numbers, 50 ms/call, concurrency 8'
        : point.mode === 'raw'
          ? `  3 bulk, raw POSTs (floor), concurrency ${point.concurrency}`
          : `  3 bulk at concurrency ${point.concurrency}`,
      measured: ms(point.medianMs),
      floor: `ideal ${ms(point.idealMs)}`,
      ratio: `${round(point.efficiency, 1)} %`,
      target: main ? '≥ 90 %' : '',
      met: main ? yes(point.efficiency >= 90) : '',
      values: {
        concurrency: point.concurrency,
        medianMs: point.medianMs,
        idealMs: point.idealMs,
        efficiency: point.efficiency,
      },
    });
  }
  rows.push(
    {
      figure: `4 peak RSS (maxRSS), ${memoryLambda.requests} requests × 100 items, V8 flags of a 128 MB Lambda`,
      measured: `${round(memoryLambda.peakRssMb, 1)} MiB (${round(memoryLambda.peakRssMb * 1.048576, 1)} MB)`,
      floor: `node alone: ${round(memory.nodeFloorRssMb, 1)} MiB`,
      ratio: '',
      target: '≤ 100 MB',
      met: yes(memoryLambda.peakRssMb * 1.048576 <= 100),
      values: { peakRssMb: memoryLambda.peakRssMb, nodeFloorRssMb: memory.nodeFloorRssMb },
    },
    context('  4a same, V8 default limits (context)', `${round(memory.peakRssMb, 1)} MiB`),
    {
      figure: `  4b heap after GC: request 5 → ${memory.requests} → ${memory.requests + 100}`,
      measured: `${round(memory.heapAfterFirstMb, 2)} → ${round(memory.heapAfterRequestsMb, 2)} → ${round(memory.heapAfterLastMb, 2)} MiB`,
      floor: `warm-up ${signed(memory.heapGrowthWarmupMb)} MiB`,
      ratio: `last 50: ${signed(memory.heapGrowthWarmMb)} MiB`,
      target: 'last 50 < 0.25 MiB',
      met: yes(memory.heapGrowthWarmMb < 0.25),
      values: {
        heapAfterFirstMb: memory.heapAfterFirstMb,
        heapAfterRequestsMb: memory.heapAfterRequestsMb,
        heapAfterLastMb: memory.heapAfterLastMb,
        heapGrowthWarmMb: memory.heapGrowthWarmMb,
      },
    },
    {
      figure: '5 bundle dist/release/handler.js, minified',
      measured: `${round(bundle.bytes / MB, 3)} MB`,
      floor: '',
      ratio: '',
      target: '≤ 500 kB',
      met: yes(bundle.bytes <= 500_000),
      values: { bytes: bundle.bytes, gzipBytes: bundle.gzipBytes },
    },
    context('  5a gzipped (zlib, level 6)', `${round(bundle.gzipBytes / 1000, 0)} KB`),
  );
  bundle.packages.slice(0, 3).forEach((entry, index) => {
    rows.push(
      context(
        `  5${'bcd'[index]} #${index + 1} contributor: ${entry.name}`,
        `${round(entry.bytes / 1000, 0)} KB`,
        '',
        `${round((100 * entry.bytes) / bundle.bytes, 1)} %`,
      ),
    );
  });
  rows.push(jobRow(job));
  return rows;
}

/** Figure 6: items per second through a local job, against batches × calls in flight / latency. */
function jobRow(job: JobResult): Row {
  const inFlight = `${job.jobMaxConcurrency} batches × ${job.releaseConcurrency} calls`;
  return {
    figure: `6 bulk job: ${job.items.toLocaleString('en-US')} numbers, ${job.latencyMs} ms/call, ${inFlight}`,
    measured: `${round(job.itemsPerSecond, 0)} items/s (${ms(job.medianMs)})`,
    floor: `ideal ${round(job.idealItemsPerSecond, 0)} items/s`,
    ratio: `${round(job.efficiency, 1)} %`,
    target: '≥ 80 %',
    met: yes(job.efficiency >= 80),
    values: {
      itemsPerSecond: job.itemsPerSecond,
      idealItemsPerSecond: job.idealItemsPerSecond,
      medianMs: job.medianMs,
      efficiency: job.efficiency,
    },
  };
}

const HEADERS = ['figure', 'measured', 'floor', 'ratio', 'target', 'met?'];

export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((row) => [
    row.figure,
    row.measured,
    row.floor,
    row.ratio,
    row.target,
    row.met,
  ]);
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...cells.map((line) => (line[column] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => value.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [
    line(HEADERS),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}

/** One line on what the bundle is made of, by family. */
export function contributorsNote(bundle: BundleResult): string {
  return `Bundle by family: ${bundle.families
    .map((family) => `${family.name} ${round(family.bytes / 1000, 0)} KB`)
    .join('; ')}`;
}
