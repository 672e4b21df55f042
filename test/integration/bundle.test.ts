/**
 * Cheap guards for the performance work of bench/README.md: the deployed bundle stays small,
 * leaves out what the function never reaches, and loads without touching the network (no WSDL
 * fetch, no client that connects at init). The figures themselves are measured by `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_PATH, JOBS_BUNDLE_PATH } from '../helpers/bundled-handler';

const META_PATH = path.join(path.dirname(BUNDLE_PATH), 'meta.json');
const JOBS_META_PATH = path.join(path.dirname(JOBS_BUNDLE_PATH), 'meta.json');

/** The source files (project paths) and packages esbuild put in a bundle. */
function bundleInputs(metaPath: string): { files: string[]; packages: Set<string> } {
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { inputs: Record<string, unknown> };
  const files = Object.keys(meta.inputs);
  const packages = new Set(
    files.flatMap((input) =>
      [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((match) => match[1] as string),
    ),
  );
  return { files, packages };
}
const LEFT_OUT = [
  'axios',
  'axios-ntlm',
  'xml-crypto',
  'xpath',
  'formidable',
  'mime-db',
  'follow-redirects',
  'bowser',
  'whatwg-mimetype',
  'debug',
  // The default credential chain's links past the environment, with the clients they carry.
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
  '@smithy/credential-provider-imds',
];
/** soap's own modules left out: its server and the WS-Security signatures. */
const SOAP_LEFT_OUT = [
  'node_modules/soap/lib/server.js',
  'node_modules/soap/lib/security/WSSecurityCert.js',
  'node_modules/soap/lib/security/WSSecurityCertWithToken.js',
];

// Runs in a fresh node: every way out to the network throws and is counted, then the bundle loads
// and init (the soap client's creation) runs to completion.
const NO_NETWORK_LOADER = `
const net = require('node:net');
const dns = require('node:dns');
let attempts = 0;
const refuse = (what) => function () { attempts++; throw new Error('network used at load: ' + what); };
net.Socket.prototype.connect = refuse('connect');
dns.lookup = refuse('dns.lookup');
dns.promises.lookup = refuse('dns.promises.lookup');
globalThis.fetch = refuse('fetch');
const { handler, finalize } = require(process.argv[1]);
setTimeout(() => process.stdout.write(JSON.stringify({ attempts, handler: typeof handler, ...(finalize && { finalize: typeof finalize }) })), 200);
`;

describe('deployed bundle', () => {
  it('stays at or under 500 kB minified', () => {
    expect(statSync(BUNDLE_PATH).size).toBeLessThanOrEqual(500_000);
  });

  it('leaves out the packages soap requires but the function never reaches', () => {
    const meta = JSON.parse(readFileSync(META_PATH, 'utf8')) as { inputs: Record<string, unknown> };
    const packages = new Set(
      Object.keys(meta.inputs).flatMap((input) =>
        [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((match) => match[1]),
      ),
    );

    expect(packages.has('soap')).toBe(true);
    expect(LEFT_OUT.filter((name) => packages.has(name))).toEqual([]);
    const { files } = bundleInputs(META_PATH);
    expect(files.filter((file) => SOAP_LEFT_OUT.some((left) => file.endsWith(left)))).toEqual([]);
  });

  it('loads and builds its clients without any network access', () => {
    const run = spawnSync(process.execPath, ['-e', NO_NETWORK_LOADER, BUNDLE_PATH], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        CALLFIRE_SECRET_ID: 'callfire/no-network',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
      timeout: 20_000,
    });

    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ attempts: 0, handler: 'function' });
  });
});

describe('job API bundle', () => {
  it('stays small: at or under 500 kB minified, without soap', () => {
    expect(statSync(JOBS_BUNDLE_PATH).size).toBeLessThanOrEqual(500_000);
    const { packages } = bundleInputs(JOBS_META_PATH);
    expect(packages.has('soap')).toBe(false);
    expect(packages.has('@aws-sdk/client-secrets-manager')).toBe(false);
    expect(LEFT_OUT.filter((name) => packages.has(name))).toEqual([]);
  });

  it('shares nothing back: the release bundle holds no job module and none of their packages', () => {
    const { files, packages } = bundleInputs(META_PATH);
    expect(files.filter((file) => file.startsWith('functions/jobs/'))).toEqual([]);
    for (const name of [
      '@aws-sdk/client-s3',
      '@aws-sdk/client-sfn',
      '@aws-sdk/s3-request-presigner',
      'csv-parse',
    ]) {
      expect(packages.has(name), name).toBe(false);
    }
  });

  it('keeps its error names through minification', () => {
    const text = readFileSync(JOBS_BUNDLE_PATH, 'utf8');
    for (const name of [
      'JobNotFoundError',
      'JobExistsError',
      'JobResultsError',
      'InvalidRequestError',
      'ConfigurationError',
      'DependencyUnavailableError',
    ]) {
      expect(text, name).toMatch(new RegExp(`["'\`]${name}["'\`]`));
    }
  });

  it('loads both exports and builds its clients without any network access', () => {
    const run = spawnSync(process.execPath, ['-e', NO_NETWORK_LOADER, JOBS_BUNDLE_PATH], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        JOBS_BUCKET: 'callfire-release-test-jobs',
        RELEASE_JOB_STATE_MACHINE_ARN:
          'arn:aws:states:us-east-1:123456789012:stateMachine:callfire-release-test-release-job',
      },
      timeout: 20_000,
    });

    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      attempts: 0,
      handler: 'function',
      finalize: 'function',
    });
  });
});
