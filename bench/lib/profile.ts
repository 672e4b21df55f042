/**
 * Reads a V8 `.cpuprofile` (node --cpu-prof) and sums self time by npm package and by function,
 * mapping frames of the minified bundle back to their sources through its source map
 * (handler.js.map, `sourcemap: 'linked'` in scripts/build.mjs).
 */

import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT, packageOf } from '../figures/bundle';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Share of the non-idle samples, percent. */
  share: number;
}

export interface ProfileSummary {
  /** Non-idle sampled time, ms. */
  busyMs: number;
  packages: SelfTime[];
  functions: SelfTime[];
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** What each frame is, once: package (or V8/Node category) and a readable function label. */
function classifier(bundle: string): (frame: CallFrame) => { pkg: string; fn: string } {
  let map: SourceMap | undefined;
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  } catch {
    map = undefined;
  }
  const bundleDir = path.dirname(bundle);
  const cache = new Map<string, { pkg: string; fn: string }>();
  return (frame) => {
    const key = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}:${frame.functionName}`;
    const known = cache.get(key);
    if (known) return known;
    let result: { pkg: string; fn: string };
    const name = frame.functionName || '(anonymous)';
    const file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
    if (frame.url === '') {
      result = name.startsWith('(')
        ? { pkg: name, fn: name }
        : { pkg: '(V8/native builtins)', fn: `${name} [native]` };
    } else if (frame.url.startsWith('node:')) {
      result = { pkg: nodeCategory(frame.url), fn: `${name} (${frame.url})` };
    } else if (path.resolve(file) === path.resolve(bundle) && map) {
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {
        originalSource?: string;
        originalLine?: number;
        name?: string;
      };
      const source = entry.originalSource
        ? path.relative(process.cwd(), path.resolve(bundleDir, entry.originalSource))
        : 'bundle';
      const pkg = packageOf(source);
      const shortSource = source.replace(/.*node_modules\//, '');
      result = {
        // No mapping: esbuild's module wrappers and the scope-hoisted top level of the bundle (ESM
        // sources run there); V8 bills the lazy compilation of each module factory to them too.
        pkg:
          pkg === PROJECT && !source.includes('functions/')
            ? '(bundle top level, module wrappers, lazy compile)'
            : pkg,
        fn: `${name} ${shortSource}:${(entry.originalLine ?? 0) + 1}`,
      };
    } else {
      result = { pkg: packageOf(file), fn: `${name} ${file.replace(/.*node_modules\//, '')}` };
    }
    cache.set(key, result);
    return result;
  };
}

/** A readable group for a Node.js built-in frame. */
function nodeCategory(url: string): string {
  if (url.startsWith('node:internal/modules/')) return 'node: module loader (compile, require)';
  if (url.startsWith('node:internal/deps/undici'))
    return 'node: undici (lazy fetch/Request globals)';
  if (url.startsWith('node:internal/bootstrap/')) return 'node: built-in module loading';
  const module = url.replace(/^node:(internal\/)?/, '').split('/')[0] ?? url;
  return `node:${module}`;
}

/**
 * Self time by package and by function over the samples whose timestamp (µs, the profile's clock)
 * lies in [fromUs, toUs); the whole profile by default. `(idle)` is left out.
 */
export function summarizeProfile(
  profile: CpuProfile,
  bundle: string,
  window: { fromUs?: number; toUs?: number } = {},
): ProfileSummary {
  const classify = classifier(bundle);
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index] ?? 0;
    // The time until the next sample is what this one stands for.
    const weight = profile.timeDeltas[index + 1] ?? 0;
    if (window.fromUs !== undefined && at < window.fromUs) return;
    if (window.toUs !== undefined && at >= window.toUs) return;
    const frame = frames.get(id);
    if (!frame || frame.functionName === '(idle)') return;
    const { pkg, fn } = classify(frame);
    busyUs += weight;
    packages.set(pkg, (packages.get(pkg) ?? 0) + weight);
    functions.set(fn, (functions.get(fn) ?? 0) + weight);
  });
  const ranked = (totals: Map<string, number>) =>
    [...totals]
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs ? (100 * us) / busyUs : 0 }))
      .sort((a, b) => b.ms - a.ms);
  return { busyMs: busyUs / 1000, packages: ranked(packages), functions: ranked(functions) };
}
