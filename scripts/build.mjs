// Bundles the Lambda entry into dist/release/handler.js: the only file the deployment ships.
// CommonJS because `soap` and the AWS SDK use dynamic require(), which ESM output only supports
// with a createRequire banner, and because CJS loads faster on cold start.
import { mkdir, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = 'dist/release';
await mkdir(outdir, { recursive: true });
const result = await build({
  entryPoints: { handler: 'functions/release/handler.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  // Error classes carry literal `name` fields, so minification cannot rename what Step Functions
  // matches on; keepNames would cost size for every other function in the bundle.
  keepNames: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
await writeFile(`${outdir}/meta.json`, JSON.stringify(result.metafile));
