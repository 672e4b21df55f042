/**
 * What moves each figure: the investigations behind bench/README.md. Not part of `npm run bench`
 * (it takes ~6-8 minutes). Run after `npm run build`:
 *
 *   npx tsx bench/investigate.ts [all | cold-profile client cpu-profile redirects logging what-if
 *                                       variants memory]
 *
 * Prints markdown tables; writes everything to $TMPDIR/callfire-bench-investigation.json. Variant
 * bundles are built by a patched COPY of scripts/build.mjs in $TMPDIR/callfire-bench-variants/ and
 * tested by the integration suite in a copied tree there: dist/ and scripts/ are left alone.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NUMBER_SERVICE_WSDL } from '../functions/release/callfire/number-service-wsdl';
import { measureBundle } from './figures/bundle';
import {
  type AnswerReport,
  DRIVER as COLD_DRIVER,
  coldStartEvent,
  measureColdStarts,
  medianPhases,
} from './figures/cold-start';
import { measureCpu } from './figures/cpu';
import { measureMemory } from './figures/memory';
import {
  DEFAULT_BUNDLE,
  DRIVERS,
  firstReport,
  ROOT,
  runNode,
  type Servers,
  startServers,
} from './lib/processes';
import { readProfile, type SelfTime, summarizeProfile } from './lib/profile';
import { median, round } from './lib/stats';

const WORK = path.join(os.tmpdir(), 'callfire-bench-variants');
const PROFILES = path.join(os.tmpdir(), 'callfire-bench-profiles');
const OUTPUT = path.join(os.tmpdir(), 'callfire-bench-investigation.json');
const bundle = path.resolve(process.env.BENCH_BUNDLE ?? DEFAULT_BUNDLE);
const results: Record<string, unknown> = existsSync(OUTPUT)
  ? (JSON.parse(readFileSync(OUTPUT, 'utf8')) as Record<string, unknown>)
  : {};

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function progress(message: string): void {
  process.stderr.write(`[investigate ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function table(headers: string[], rows: Array<Array<string | number>>): void {
  say(`| ${headers.join(' | ')} |`);
  say(`|${headers.map(() => '---').join('|')}|`);
  for (const row of rows) say(`| ${row.join(' | ')} |`);
  say();
}

const fmt = (value: number, digits = 1) => String(round(value, digits));
const kb = (bytes: number) => `${round(bytes / 1000, 0)} KB`;

function profilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(dir, name));
}

function freshDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function topRows(entries: SelfTime[], count: number, scale = 1): Array<Array<string | number>> {
  return entries
    .slice(0, count)
    .map((entry) => [entry.name, fmt(entry.ms * scale, 2), `${fmt(entry.share)} %`]);
}

/** Averages SelfTime lists of several runs (ms per run), recomputing shares. */
function averageSelfTimes(lists: SelfTime[][]): SelfTime[] {
  const totals = new Map<string, number>();
  for (const list of lists) {
    for (const entry of list) totals.set(entry.name, (totals.get(entry.name) ?? 0) + entry.ms);
  }
  const all = [...totals.values()].reduce((sum, value) => sum + value, 0);
  return [...totals]
    .map(([name, ms]) => ({ name, ms: ms / lists.length, share: all ? (100 * ms) / all : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

// --- (a) cold start: where module load and the first invocation spend CPU -------------------------

async function coldProfile(servers: Servers): Promise<void> {
  const runs = 5;
  const dir = freshDir(path.join(PROFILES, 'cold'));
  const windows = {
    'module load': [] as SelfTime[][],
    'client creation': [] as SelfTime[][],
    'secret read + 1st request build': [] as SelfTime[][],
    'first call': [] as SelfTime[][],
  };
  const sdkFunctions: SelfTime[][] = [];
  const loadFunctions: SelfTime[][] = [];
  for (let index = 0; index < runs; index++) {
    const runDir = freshDir(path.join(dir, String(index)));
    const run = await runNode(
      ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', runDir, COLD_DRIVER],
      servers.functionEnv({ BENCH_BUNDLE: bundle, BENCH_EVENT: JSON.stringify(coldStartEvent()) }),
    );
    const answer = firstReport<AnswerReport>(run, 'cold driver');
    const [file] = profilesIn(runDir);
    if (!file) throw new Error('no cpu profile written');
    const profile = readProfile(file);
    const us = (mark: number | undefined) => (mark ?? 0) * 1000 + answer.hrOffsetUs;
    const m = answer.marks;
    const span = (fromUs: number, toUs: number) =>
      summarizeProfile(profile, bundle, { fromUs, toUs });
    const load = span(us(m.requireStart), us(m.requireEnd));
    windows['module load'].push(load.packages);
    loadFunctions.push(load.functions);
    windows['client creation'].push(span(us(m.requireEnd), us(m.clientReady)).packages);
    const secret = span(us(m.invoke), us(m.soapStart));
    windows['secret read + 1st request build'].push(secret.packages);
    sdkFunctions.push(secret.functions);
    windows['first call'].push(span(us(m.soapStart), us(m.answer)).packages);
  }
  say('### (a) Cold start: CPU self time by package in each phase (profiled, mean of 5 runs)');
  say();
  say('Sampled at 100 µs with `--cpu-prof` (which slows the process itself by ~10-20 %).');
  say();
  const summary: Record<string, SelfTime[]> = {};
  for (const [name, lists] of Object.entries(windows)) {
    const averaged = averageSelfTimes(lists);
    summary[name] = averaged.slice(0, 12);
    say(`**${name}** (${fmt(averaged.reduce((sum, entry) => sum + entry.ms, 0))} ms sampled)`);
    say();
    table(['package', 'ms', 'share'], topRows(averaged, 8));
  }
  const loadFns = averageSelfTimes(loadFunctions).slice(0, 10);
  say('**module load**, top functions');
  say();
  table(['function', 'ms', 'share'], topRows(loadFns, 10));
  const secretFns = averageSelfTimes(sdkFunctions).slice(0, 10);
  say('**secret read**, top functions');
  say();
  table(['function', 'ms', 'share'], topRows(secretFns, 10));
  results.coldProfile = {
    runs,
    windows: summary,
    moduleLoadFunctions: loadFns,
    secretReadFunctions: secretFns,
  };
}

// --- (a) the soap client and the SDK on their own, unbundled ---------------------------------------

async function clientStandalone(servers: Servers): Promise<void> {
  const runs = 11;
  const samples: Record<string, { requireMs: number[]; createMs: number[] }> = {
    soap: { requireMs: [], createMs: [] },
    sdk: { requireMs: [], createMs: [] },
    undici: { requireMs: [], createMs: [] },
  };
  for (let index = 0; index < runs; index++) {
    for (const what of ['soap', 'sdk', 'undici'] as const) {
      const run = await runNode(
        [path.join(DRIVERS, 'packages.mjs')],
        servers.functionEnv({ BENCH_WHAT: what, BENCH_WSDL: NUMBER_SERVICE_WSDL }),
      );
      const report = firstReport<{ requireMs: number; createMs: number }>(run, 'packages driver');
      samples[what]?.requireMs.push(report.requireMs);
      samples[what]?.createMs.push(report.createMs);
    }
  }
  say(
    `### (a) Dependencies alone, unbundled from node_modules (fresh process each, median of ${runs})`,
  );
  say();
  const rows = Object.entries(samples).map(([what, sample]) => [
    {
      soap: "`require('soap')` / `createClientAsync(NUMBER_SERVICE_WSDL, {forceSoap12Headers})`",
      sdk: "`require('@aws-sdk/client-secrets-manager')` / `new SecretsManagerClient({})`",
      undici: 'first `globalThis.Request` access (Node loads undici; axios does it at load) / –',
    }[what] ?? what,
    fmt(median(sample.requireMs)),
    fmt(median(sample.createMs)),
  ]);
  table(['what', 'require ms', 'create ms'], rows);
  results.clientStandalone = Object.fromEntries(
    Object.entries(samples).map(([what, sample]) => [
      what,
      { requireMs: median(sample.requireMs), createMs: median(sample.createMs), runs },
    ]),
  );
}

// --- (b) per-release CPU: where the warm handler spends it -----------------------------------------

async function cpuProfile(servers: Servers): Promise<void> {
  const rounds = 6;
  const perRound = 500;
  const summaries: Record<string, unknown> = {};
  say('### (b) Per-release CPU: self time by package and function (warm, `--cpu-prof`)');
  say();
  for (const mode of ['handler', 'soap', 'raw'] as const) {
    const dir = freshDir(path.join(PROFILES, `cpu-${mode}`));
    const cpu = await measureCpu(servers, {
      bundle,
      rounds,
      perRound,
      modes: [mode],
      nodeArgs: ['--cpu-prof', '--cpu-prof-interval', '200', '--cpu-prof-dir', dir],
    });
    const [file] = profilesIn(dir);
    if (!file) throw new Error('no cpu profile written');
    // Only the measured rounds: not the module load, not the warm-up.
    const profile = summarizeProfile(readProfile(file), bundle, cpu.window);
    const scale = 1000 / (rounds * perRound);
    say(
      `**${mode}**: ${fmt(cpu.usPerRelease[mode] ?? Number.NaN, 0)} µs CPU/release by cpuUsage in the profiled run; ${fmt(profile.busyMs * scale, 0)} µs/release sampled (main thread only)`,
    );
    say();
    table(
      ['package', 'µs/release', 'share'],
      topRows(profile.packages, mode === 'raw' ? 6 : 10, scale),
    );
    if (mode !== 'raw') {
      table(['function', 'µs/release', 'share'], topRows(profile.functions, 12, scale));
    }
    summaries[mode] = {
      usPerRelease: cpu.usPerRelease[mode],
      packages: profile.packages.slice(0, 15).map((entry) => ({ ...entry, us: entry.ms * scale })),
      functions: profile.functions
        .slice(0, 20)
        .map((entry) => ({ ...entry, us: entry.ms * scale })),
    };
  }
  results.cpuProfile = summaries;
}

// --- (b) the cost of INFO logging (the production default) -----------------------------------------

async function logging(servers: Servers): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  const out: Record<string, unknown> = {};
  for (const level of ['ERROR', 'INFO'] as const) {
    const cpu = await measureCpu(servers, {
      bundle,
      rounds: 6,
      perRound: 500,
      modes: ['handler', 'raw'],
      env: { POWERTOOLS_LOG_LEVEL: level },
    });
    rows.push([
      level,
      fmt(cpu.usPerRelease.handler ?? Number.NaN, 0),
      fmt(cpu.usPerRelease.raw ?? Number.NaN, 0),
      `${fmt(cpu.ratio, 2)}×`,
    ]);
    out[level] = { usPerRelease: cpu.usPerRelease, ratio: cpu.ratio };
  }
  say('### (b) Per-release CPU by POWERTOOLS_LOG_LEVEL (INFO writes one audit line per item)');
  say();
  table(['log level', 'handler µs', 'raw µs', 'ratio'], rows);
  results.logging = out;
}

// --- (d) memory: V8 heap limits as Lambda sets them -----------------------------------------------

async function memory(servers: Servers): Promise<void> {
  const settings: Array<{ name: string; nodeArgs: string[]; bundle?: string }> = [
    { name: 'default V8 limits (as `npm run bench`)', nodeArgs: [] },
    {
      name: 'Lambda-like 128 MB: --max-semi-space-size=6 --max-old-space-size=116',
      nodeArgs: ['--max-semi-space-size=6', '--max-old-space-size=116'],
    },
    { name: '--max-semi-space-size=1', nodeArgs: ['--max-semi-space-size=1'] },
  ];
  const lean = path.join(WORK, 'lean', 'handler.js');
  if (existsSync(lean)) {
    settings.push({ name: 'variant "lean" bundle, default limits', nodeArgs: [], bundle: lean });
    settings.push({
      name: 'variant "lean" bundle, Lambda-like 128 MB limits',
      nodeArgs: ['--max-semi-space-size=6', '--max-old-space-size=116'],
      bundle: lean,
    });
  }
  const rows: Array<Array<string | number>> = [];
  const out: Record<string, unknown> = {};
  const reps = 3;
  for (const setting of settings) {
    const runs = [];
    for (let rep = 0; rep < reps; rep++) {
      runs.push(
        await measureMemory(servers, {
          bundle: setting.bundle ?? bundle,
          nodeArgs: setting.nodeArgs,
          extraRequests: 0,
        }),
      );
    }
    const peaks = runs.map((result) => result.peakRssMb);
    const [first] = runs;
    rows.push([
      setting.name,
      fmt(median(runs.map((result) => result.afterLoadRssMb))),
      `${fmt(median(peaks))} (${fmt(Math.min(...peaks))}–${fmt(Math.max(...peaks))})`,
      first ? `${fmt(first.heapAfterFirstMb, 2)} → ${fmt(first.heapAfterRequestsMb, 2)}` : '',
    ]);
    out[setting.name] = { peakRssMb: peaks, runs };
  }
  say(
    `### (d) Peak RSS over 50 requests of 100 items, by V8 heap settings and bundle (median of ${reps} processes, range)`,
  );
  say();
  table(['setting', 'RSS after load MiB', 'peak RSS MiB', 'heap after GC, req 5 → 50 MiB'], rows);
  results.memory = out;
}

// --- (c) bundle variants: size, cold start, integration suite --------------------------------------

interface Variant {
  name: string;
  what: string;
  options: { alias?: Record<string, string>; external?: string[] };
  /** Exact import specifiers replaced by a file (load-only what-if bundles). */
  stubs?: Record<string, string>;
}

function variants(): Variant[] {
  const stub = path.join(WORK, 'stubs', 'empty.cjs');
  const axiosCjs = path.join(ROOT, 'node_modules/axios/dist/node/axios.cjs');
  const wsSecurity = { 'xml-crypto': stub };
  const mimeDb = { 'mime-db': stub };
  const unusedTransports = { 'axios-ntlm': stub, formidable: stub };
  const oneAxios = { axios: axiosCjs };
  const lean = { ...oneAxios, ...wsSecurity, ...mimeDb, ...unusedTransports };
  return [
    { name: 'baseline', what: 'copy of scripts/build.mjs, unchanged', options: {} },
    {
      name: 'one-axios',
      what: "alias axios → axios/dist/node/axios.cjs (soap's require and the project's import share one copy)",
      options: { alias: oneAxios },
    },
    {
      name: 'no-ws-security',
      what: 'alias xml-crypto → empty stub (drops xml-crypto, xpath, its @xmldom/xmldom)',
      options: { alias: wsSecurity },
    },
    { name: 'no-mime-db', what: 'alias mime-db → empty stub', options: { alias: mimeDb } },
    {
      name: 'no-ntlm-mtom',
      what: 'alias axios-ntlm, formidable → empty stub (NTLM auth, MTOM parsing)',
      options: { alias: unusedTransports },
    },
    {
      name: 'sdk-external',
      what: "external @aws-sdk/* (the nodejs22.x runtime's SDK v3; here loaded from node_modules)",
      options: { external: ['@aws-sdk/*'] },
    },
    {
      name: 'lean',
      what: 'one-axios + no-ws-security + no-mime-db + no-ntlm-mtom',
      options: { alias: lean },
    },
    {
      name: 'lean+sdk-external',
      what: 'lean + external @aws-sdk/*',
      options: { alias: lean, external: ['@aws-sdk/*'] },
    },
  ];
}

/** Added to the copied build script: exact import specifiers replaced by files (VARIANT_STUBS). */
const STUB_PLUGIN = `
const variantStubs = JSON.parse(process.env.VARIANT_STUBS ?? '{}');
const variantPlugins = [
  {
    name: 'variant-stubs',
    setup(builder) {
      builder.onResolve({ filter: /.*/ }, (args) =>
        variantStubs[args.path] ? { path: variantStubs[args.path] } : undefined,
      );
    },
  },
];
`;

/**
 * A copy of scripts/build.mjs whose output directory, extra esbuild options (VARIANT_OPTIONS) and
 * stubbed imports (VARIANT_STUBS) come from the environment.
 */
function prepareBuilder(): string {
  mkdirSync(path.join(WORK, 'stubs'), { recursive: true });
  writeFileSync(
    path.join(WORK, 'stubs', 'empty.cjs'),
    '// Stands in for a package the function never reaches.\nmodule.exports = {};\n',
  );
  const modules = path.join(WORK, 'node_modules');
  if (!existsSync(modules)) symlinkSync(path.join(ROOT, 'node_modules'), modules);
  writeFileSync(
    path.join(WORK, 'stubs', 'classes.cjs'),
    '// Load-only stand-ins for the Secrets Manager client and provider (what-if bundles).\nclass Stub {}\nmodule.exports = { SecretsManagerClient: Stub, SecretsProvider: Stub };\n',
  );
  const original = readFileSync(path.join(ROOT, 'scripts/build.mjs'), 'utf8');
  const patched = original
    .replace("const outdir = 'dist/release';", 'const outdir = process.env.VARIANT_OUTDIR;')
    .replace("import { build } from 'esbuild';", `import { build } from 'esbuild';\n${STUB_PLUGIN}`)
    .replace(
      "logLevel: 'warning',",
      "logLevel: 'warning',\n  plugins: variantPlugins,\n  ...JSON.parse(process.env.VARIANT_OPTIONS ?? '{}'),",
    );
  for (const needle of [
    'VARIANT_OUTDIR',
    'VARIANT_STUBS',
    'plugins: variantPlugins',
    'VARIANT_OPTIONS',
  ]) {
    if (!patched.includes(needle))
      throw new Error(`scripts/build.mjs changed shape (${needle}): update prepareBuilder()`);
  }
  const builder = path.join(WORK, 'build.mjs');
  writeFileSync(builder, patched);
  return builder;
}

/** A copy of the integration suite's tree (test/, local/, configs) with its own dist/. */
function prepareTestTree(): string {
  const tree = freshDir(path.join(WORK, 'tree'));
  for (const entry of ['test', 'local', 'vitest.config.ts', 'tsconfig.json', 'package.json']) {
    cpSync(path.join(ROOT, entry), path.join(tree, entry), { recursive: true });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  mkdirSync(path.join(tree, 'dist/release'), { recursive: true });
  return tree;
}

const ANSI_COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function integration(tree: string, variantBundle: string): string {
  cpSync(variantBundle, path.join(tree, 'dist/release/handler.js'));
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', 'test/integration/handler.test.ts'],
    { cwd: tree, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } },
  );
  const text = `${result.stdout}\n${result.stderr}`.replace(ANSI_COLOURS, '');
  const tests = /Tests\s+([^\n]+)/.exec(text)?.[1]?.trim() ?? 'no summary';
  return result.status === 0 ? `pass (${tests})` : `FAIL (${tests})`;
}

/** Builds `variant` with the copied build script into $WORK/<name>/; returns the bundle path. */
function buildVariant(builder: string, variant: Variant): string {
  const outdir = path.join(WORK, variant.name);
  rmSync(outdir, { recursive: true, force: true });
  execFileSync(process.execPath, [builder], {
    cwd: ROOT,
    env: {
      ...process.env,
      VARIANT_OUTDIR: outdir,
      VARIANT_OPTIONS: JSON.stringify(variant.options),
      VARIANT_STUBS: JSON.stringify(variant.stubs ?? {}),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return path.join(outdir, 'handler.js');
}

async function variantsSection(servers: Servers): Promise<void> {
  const builder = prepareBuilder();
  const list = variants();
  const built: Record<string, string> = {};
  for (const variant of list) built[variant.name] = buildVariant(builder, variant);
  progress(`built ${list.length} variants in ${WORK}; cold starts (11 interleaved rounds)`);
  await servers.sandbox('POST', 'reset');
  const cold = await measureColdStarts(servers, {
    bundles: built,
    runs: 11,
    onProgress: (done) => progress(`  cold round ${done}/11`),
  });
  const floor = median(cold.floor);
  progress('integration suite against each variant (copied tree)');
  const tree = prepareTestTree();
  const rows: Array<Array<string | number>> = [];
  const out: Record<string, unknown> = {};
  for (const variant of list) {
    const file = built[variant.name] ?? '';
    const size = measureBundle(file);
    const phases = medianPhases(cold.bundles[variant.name]?.phases ?? []);
    const verdict = integration(tree, file);
    progress(`  ${variant.name}: ${verdict}`);
    rows.push([
      `**${variant.name}**: ${variant.what}`,
      kb(size.bytes),
      kb(size.gzipBytes),
      fmt(phases.moduleLoad, 0),
      fmt(phases.total, 0),
      `${fmt(phases.total / floor, 2)}×`,
      verdict,
    ]);
    out[variant.name] = {
      what: variant.what,
      options: variant.options,
      bytes: size.bytes,
      gzipBytes: size.gzipBytes,
      topPackages: size.packages.slice(0, 5),
      cold: phases,
      ratio: phases.total / floor,
      integration: verdict,
    };
  }
  say(
    `### (c) Bundle variants (copy of the build script; cold start: 11 interleaved rounds, node -e 0 median ${fmt(floor, 0)} ms)`,
  );
  say();
  table(
    [
      'variant',
      'minified',
      'gzip',
      'module load ms',
      'cold start ms',
      'ratio',
      'integration suite',
    ],
    rows,
  );
  results.variants = { floorMs: floor, variants: out };
}

// --- (a)/(c) what if: load cost without soap/axios, without the SDK, without both -----------------

async function whatIf(servers: Servers): Promise<void> {
  const builder = prepareBuilder();
  const empty = path.join(WORK, 'stubs', 'empty.cjs');
  const classes = path.join(WORK, 'stubs', 'classes.cjs');
  const noSoap = { soap: empty, axios: empty };
  const noSdk = {
    '@aws-sdk/client-secrets-manager': classes,
    '@aws-lambda-powertools/parameters/secrets': classes,
  };
  const list: Variant[] = [
    { name: 'baseline', what: 'as built', options: {} },
    {
      name: 'whatif-no-soap',
      what: 'soap and axios stubbed (where a hand-written SOAP client over node:http would be)',
      options: {},
      stubs: noSoap,
    },
    {
      name: 'whatif-no-sdk',
      what: 'Secrets Manager client and Powertools Parameters stubbed (where e.g. a localhost call to the Parameters and Secrets extension would be)',
      options: {},
      stubs: noSdk,
    },
    {
      name: 'whatif-neither',
      what: 'both stubbed: the project, Powertools Logger and Metrics',
      options: {},
      stubs: { ...noSoap, ...noSdk },
    },
  ];
  const built: Record<string, string> = {};
  for (const variant of list) built[variant.name] = buildVariant(builder, variant);
  const runs = 11;
  const floor: number[] = [];
  const samples: Record<string, { total: number[]; requireMs: number[]; initMs: number[] }> = {};
  for (const name of Object.keys(built)) samples[name] = { total: [], requireMs: [], initMs: [] };
  const kinds = ['(floor)', ...Object.keys(built)];
  for (let index = 0; index < runs; index++) {
    for (let turn = 0; turn < kinds.length; turn++) {
      const kind = kinds[(turn + index) % kinds.length] ?? '(floor)';
      if (kind === '(floor)') {
        floor.push((await runNode(['-e', '0'], servers.functionEnv())).exitAtMs);
        continue;
      }
      const run = await runNode(
        [path.join(DRIVERS, 'load-only.mjs')],
        servers.functionEnv({ BENCH_BUNDLE: built[kind] ?? '' }),
      );
      const report = firstReport<{ requireMs: number; initMs: number }>(run, 'load-only driver');
      samples[kind]?.total.push(run.reportAtMs[0] ?? Number.NaN);
      samples[kind]?.requireMs.push(report.requireMs);
      samples[kind]?.initMs.push(report.initMs);
    }
  }
  const floorMs = median(floor);
  say(
    `### (a) What if: spawn → bundle loaded and initialised, load only (${runs} interleaved rounds, node -e 0 median ${fmt(floorMs, 0)} ms)`,
  );
  say();
  say(
    'These bundles load but cannot serve a request: they bound what replacing a dependency could save.',
  );
  say();
  const rows: Array<Array<string | number>> = [];
  const out: Record<string, unknown> = {};
  for (const variant of list) {
    const sample = samples[variant.name] ?? { total: [], requireMs: [], initMs: [] };
    const size = measureBundle(built[variant.name] ?? '');
    rows.push([
      `**${variant.name}**: ${variant.what}`,
      kb(size.bytes),
      fmt(median(sample.requireMs), 0),
      fmt(median(sample.initMs), 0),
      fmt(median(sample.total), 0),
      `${fmt(median(sample.total) / floorMs, 2)}×`,
    ]);
    out[variant.name] = {
      what: variant.what,
      bytes: size.bytes,
      requireMs: median(sample.requireMs),
      initMs: median(sample.initMs),
      spawnToLoadedMs: median(sample.total),
    };
  }
  table(['bundle', 'minified', 'require ms', 'init ms', 'spawn → loaded ms', 'vs node -e 0'], rows);
  results.whatIf = { floorMs, runs, bundles: out };
}

// --- (b) axios' redirect follower -------------------------------------------------------------------

async function redirects(servers: Servers): Promise<void> {
  const modes = ['soap', 'soap-noredirect', 'raw'] as const;
  const cpu = await measureCpu(servers, { bundle, rounds: 8, perRound: 500, modes: [...modes] });
  say('### (b) soap alone, with and without follow-redirects (axios maxRedirects: 0), interleaved');
  say();
  const raw = cpu.usPerRelease.raw ?? Number.NaN;
  table(
    ['client', 'CPU µs/release', 'vs raw'],
    modes.map((mode) => {
      const us = cpu.usPerRelease[mode] ?? Number.NaN;
      return [mode, fmt(us, 0), `${fmt(us / raw, 2)}×`];
    }),
  );
  results.redirects = { usPerRelease: cpu.usPerRelease, spread: cpu.spread };
}

// ---------------------------------------------------------------------------------------------

const SECTIONS: Record<string, (servers: Servers) => Promise<void>> = {
  'cold-profile': coldProfile,
  client: clientStandalone,
  'cpu-profile': cpuProfile,
  redirects,
  logging,
  'what-if': whatIf,
  variants: variantsSection,
  // After variants: it also measures the "lean" bundle when it has been built.
  memory,
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const names = asked.length === 0 || asked.includes('all') ? Object.keys(SECTIONS) : asked;
  for (const name of names) {
    if (!SECTIONS[name])
      throw new Error(`unknown section ${name}: ${Object.keys(SECTIONS).join(', ')}`);
  }
  const servers = await startServers();
  try {
    say(
      `## Investigations (${new Date().toISOString()}, Node ${process.version}, bundle ${path.relative(ROOT, bundle)})`,
    );
    say();
    for (const name of names) {
      progress(name);
      await SECTIONS[name]?.(servers);
      writeFileSync(OUTPUT, `${JSON.stringify(results, null, 2)}\n`);
    }
  } finally {
    await servers.stop();
  }
  progress(`details: ${OUTPUT}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `investigate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
