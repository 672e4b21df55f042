// Bundles the operators' command line (cli/) into dist/cli/callfire-release.js, package.json's
// `bin`: one file with its dependencies, runnable with `npx callfire-release` from the checkout.
// Its own bundle and folder, so nothing of it reaches the function bundles (and the reverse).
// CommonJS for the same reason as the functions (the AWS SDK's dynamic require()); target node22
// like them, which this machine's Node 20 runs too (the CLI tests run it there).
import { chmod, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const outfile = 'dist/cli/callfire-release.js';
await mkdir('dist/cli', { recursive: true });
await build({
  entryPoints: ['cli/callfire-release.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  // Not minified: an operator's stack trace or a bug report should name real functions.
  minify: false,
  banner: { js: '#!/usr/bin/env node' },
  legalComments: 'none',
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
