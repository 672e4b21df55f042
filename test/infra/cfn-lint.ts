// Runs AWS's own CloudFormation linter, the Python `cfn-lint` (1.x), on a template file, when the
// machine has it. Not an npm dependency on purpose: the npm package of that name carries a 2019
// resource specification and reports false errors on valid templates; PyPI's is current.
import { spawnSync } from 'node:child_process';

export interface CfnLintFinding {
  /** Rule id: E... errors, W... warnings (informational I... checks are not run). */
  rule: string;
  level: string;
  message: string;
  /** Where in the template, as Resources/<id>/Properties/... */
  path: string;
}

/** The cfn-lint on the PATH (as `command -v cfn-lint` finds it), or undefined. */
export function findCfnLint(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v cfn-lint'], { encoding: 'utf8' });
  const path = found.stdout?.trim();
  return found.status === 0 && path ? path : undefined;
}

/** Every finding of cfn-lint's default checks (errors and warnings) on the template file. */
export function runCfnLint(executable: string, templatePath: string): CfnLintFinding[] {
  const run = spawnSync(executable, ['--format', 'json', '--', templatePath], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  // The exit status is a bit mask: 2 errors, 4 warnings, 8 informational; 1 (or no JSON) means
  // cfn-lint itself failed, which must not pass for a clean template.
  if (run.error || run.status === null || run.status & 1 || !run.stdout.trim().startsWith('[')) {
    throw new Error(
      `cfn-lint failed (status ${run.status}): ${run.error?.message ?? ''}${run.stderr}${run.stdout}`,
    );
  }
  const findings = JSON.parse(run.stdout) as {
    Level: string;
    Message: string;
    Rule: { Id: string };
    Location?: { Path?: (string | number)[] };
  }[];
  return findings.map((finding) => ({
    rule: finding.Rule.Id,
    level: finding.Level,
    message: finding.Message,
    path: (finding.Location?.Path ?? []).join('/'),
  }));
}
