// Runs `osls package` once and reads what it wrote to .serverless/.
//
// Assumes the bundles are built (dist/release/handler.js, dist/jobs/handler.js): the project's test command runs
// `npm run build` before vitest, and `npm run package` does the same before `osls package`.
//
// Packaging must need no AWS account and no network. The child gets dummy credentials, no
// profile, no instance-metadata lookups, and an AWS endpoint on a closed loopback port: were osls
// ever to call AWS while packaging (an ${aws:...} or ${ssm:...} variable, say), it would fail here
// at once instead of reaching out.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CfnTemplate } from './template';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const STAGE = 'test';
export const BUNDLE = 'dist/release/handler.js';
export const JOBS_BUNDLE = 'dist/jobs/handler.js';

export interface PackagedStack {
  template: CfnTemplate;
  /** Where osls wrote the template (for tools that read the file, such as cfn-lint). */
  templatePath: string;
  /** The resolved service configuration, including every stage's `params`. */
  state: {
    service: { initialServerlessConfig: { params?: Record<string, Record<string, unknown>> } };
  };
  /** The release function's artifact. */
  artifactPath: string;
  /** Where the artifacts are: `<function key>.zip` each. */
  artifactsDir: string;
  output: string;
  durationMs: number;
}

/**
 * @param options.outputDir where osls writes (its `--package` option; `.serverless/` when not
 * given): test files that package at the same time each need their own
 */
export async function packageStack(options: { outputDir?: string } = {}): Promise<PackagedStack> {
  for (const bundle of [BUNDLE, JOBS_BUNDLE]) {
    if (!existsSync(join(ROOT, bundle))) {
      throw new Error(`${bundle} is missing: run \`npm run build\` before the infra tests`);
    }
  }
  const dir = options.outputDir ?? join(ROOT, '.serverless');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'offline-packaging',
    AWS_SECRET_ACCESS_KEY: 'offline-packaging',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    // Non-interactive: never prompt, whatever the terminal.
    CI: 'true',
  };
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN']) delete env[name];

  const started = performance.now();
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'),
      'package',
      '--stage',
      STAGE,
      ...(options.outputDir ? ['--package', options.outputDir] : []),
    ],
    { cwd: ROOT, env, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const durationMs = performance.now() - started;

  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const templateFile = 'cloudformation-template-update-stack.json';
  return {
    template: read(templateFile) as CfnTemplate,
    templatePath: join(dir, templateFile),
    state: read('serverless-state.json'),
    artifactPath: join(dir, 'release.zip'),
    artifactsDir: dir,
    output: `${stdout}${stderr}`,
    durationMs,
  };
}
