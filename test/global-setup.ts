import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The build every bundle-based suite tests: dist/ as `npm run build` makes it. */
function build(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * Builds the bundles once before any test file runs, and again before each rerun in watch mode,
 * so `npx vitest` and `npx vitest --watch` test what the sources say, with no `npm run build`
 * first.
 */
export default function setup(project: TestProject): void {
  build();
  project.onTestsRerun(() => build());
}
