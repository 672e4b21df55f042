/**
 * Figure 5, bundle: size of the bundle, minified (as built) and gzipped, and its largest
 * contributors by npm package from esbuild's metafile (meta.json next to the bundle).
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface Contributor {
  name: string;
  bytes: number;
}

export interface BundleResult {
  bytes: number;
  gzipBytes: number;
  /** By npm package (`@scope/name`), the project's own sources as one entry; largest first. */
  packages: Contributor[];
  /** By family: AWS SDK v3 (@aws-sdk/* and @smithy/*), Powertools, soap and its dependencies. */
  families: Contributor[];
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

const PROJECT = '(this project: functions/)';

/** The npm package an esbuild input path belongs to (the innermost node_modules entry). */
function packageOf(input: string): string {
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? PROJECT;
}

function familyOf(name: string): string {
  if (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name === 'bowser')
    return 'AWS SDK v3 (@aws-sdk/*, @smithy/*, bowser)';
  if (name.startsWith('@aws-lambda-powertools/')) return 'Powertools';
  if (name === PROJECT) return PROJECT;
  return 'soap and its dependencies (axios, mime-db, xml-crypto, ...)';
}

function ranked(totals: Map<string, number>): Contributor[] {
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Contributors of the output `bundle` in `metafile`, by package and by family. */
export function contributors(
  metafile: Metafile,
  bundleName: string,
): { packages: Contributor[]; families: Contributor[] } {
  const output =
    Object.entries(metafile.outputs).find(([name]) => name.endsWith(bundleName))?.[1] ??
    Object.values(metafile.outputs).find((candidate) => candidate.bytes > 0);
  if (output === undefined) throw new Error('metafile has no output');
  const packages = new Map<string, number>();
  const families = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    packages.set(name, (packages.get(name) ?? 0) + bytesInOutput);
    const family = familyOf(name);
    families.set(family, (families.get(family) ?? 0) + bytesInOutput);
  }
  return { packages: ranked(packages), families: ranked(families) };
}

export function measureBundle(bundle: string): BundleResult {
  const code = readFileSync(bundle);
  const metafile = JSON.parse(
    readFileSync(path.join(path.dirname(bundle), 'meta.json'), 'utf8'),
  ) as Metafile;
  return {
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    ...contributors(metafile, path.basename(bundle)),
  };
}
