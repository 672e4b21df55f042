/**
 * The drivers (bench/drivers/*.ts), bundled by esbuild into one plain `node` file each under
 * dist/bench/: what they import from the project (the Lambda context, CallFire's contract, the
 * sandbox's bulk block) is inlined, so a driver loads nothing at run time but the bundle it
 * measures, and no TypeScript loader runs in the measured process.
 */

import path from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './processes';

const NAMES = ['cold-start', 'warm-cpu', 'bulk', 'memory'] as const;

/** Where the built drivers go. */
const OUTDIR = path.join(ROOT, 'dist/bench');

/** The built driver `name`, for `node <driver>`. */
export function driver(name: (typeof NAMES)[number]): string {
  return path.join(OUTDIR, `${name}.mjs`);
}

export async function buildDrivers(): Promise<void> {
  await build({
    entryPoints: NAMES.map((name) => path.join(ROOT, 'bench/drivers', `${name}.ts`)),
    outdir: OUTDIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    logLevel: 'warning',
  });
}
