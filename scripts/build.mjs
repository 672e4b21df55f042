// Bundles the Lambda entries into dist/release/handler.js and dist/jobs/handler.js: the only files
// the deployment ships.
// CommonJS because `soap` and the AWS SDK use dynamic require(), which ESM output only supports
// with a createRequire banner, and because CJS loads faster on cold start.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
// The operators' command line: a bundle of its own (dist/cli), built before the functions'.
import './build-cli.mjs';
import { build } from 'esbuild';

// Packages `soap` requires at load that the functions never reach. Each costs load time and
// bundle size (bench/README.md measured it); a guard test checks none of them is in the bundle.
// - axios (with form-data, mime-db, follow-redirects, proxy-from-env): soap's default HTTP
//   client, replaced by functions/release/callfire/soap-transport.ts;
// - axios-ntlm: NTLM authentication (CallFire uses Basic);
// - xml-crypto (with xpath and a second xmldom): WS-Security signatures;
// - formidable: MTOM attachments;
// - bowser: the AWS SDK's browser user-agent parser (a dynamic import only browsers reach).
// - whatwg-mimetype: reads MTOM multipart answers in soap's own HTTP client, replaced as above.
const UNUSED = ['axios', 'axios-ntlm', 'xml-crypto', 'formidable', 'bowser', 'whatwg-mimetype'];
const unusedStub = './scripts/unused-dependency.cjs';

// Packages swapped for smaller ones that do the functions' part of the job:
// - the SDK's default credential chain, for the environment credentials Lambda provides (the
//   full chain is still loaded from node_modules where there are none: see the file);
// - debug, soap's diagnostics, which print request headers (the Authorization with them) when
//   DEBUG names soap: silent in the deployed function.
const REPLACED = {
  '@aws-sdk/credential-provider-node': './functions/lambda/credential-chain.ts',
  debug: './scripts/silent-debug.cjs',
};

// soap's own modules the functions never reach: its SOAP server and the WS-Security signatures
// (which need xml-crypto, left out above). soap.js and security/index.js require them at load.
const soapLeftOut = {
  name: 'soap-left-out',
  setup(build) {
    build.onResolve({ filter: /^\.\/(server|WSSecurityCert|WSSecurityCertWithToken)$/ }, (args) =>
      /[\\/]node_modules[\\/]soap[\\/]lib[\\/]/.test(args.importer)
        ? { path: path.resolve(unusedStub) }
        : undefined,
    );
  },
};

// One bundle per function, each the only file its artifact ships (serverless.yml). The same
// settings for both; the job API and Finalize share one small bundle, and nothing of theirs may
// reach the release bundle (test/integration/bundle.test.ts checks both ways).
const BUNDLES = [
  { entry: 'functions/release/handler.ts', outdir: 'dist/release' },
  { entry: 'functions/jobs/handler.ts', outdir: 'dist/jobs' },
];

for (const { entry, outdir } of BUNDLES) {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { handler: entry },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // NO_MINIFY=1 builds a readable bundle for profiling (bench/README.md); never deployed so.
    minify: process.env.NO_MINIFY !== '1',
    sourcemap: 'linked',
    // Error classes carry literal `name` fields, so minification cannot rename what Step
    // Functions matches on; keepNames would cost size for every other function in the bundle.
    keepNames: false,
    legalComments: 'none',
    metafile: true,
    alias: { ...Object.fromEntries(UNUSED.map((name) => [name, unusedStub])), ...REPLACED },
    plugins: [soapLeftOut],
    // The ES module builds of the AWS SDK and Powertools where they ship one: esbuild can drop
    // what is never imported (the CommonJS build of client-ssm is every SSM command in one file).
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  await writeFile(`${outdir}/meta.json`, JSON.stringify(result.metafile));
}
