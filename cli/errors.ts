/**
 * The command line's exit codes and the one error type that carries them. Every failure the tool
 * means to report is a {@link CliError}: its message is written for the operator (never a secret,
 * never a header), its `exitCode` is what the process exits with.
 */

/** What the process exits with. */
export const EXIT = {
  /** Nothing failed. */
  ok: 0,
  /** Some items failed (their rows say why). */
  itemsFailed: 1,
  /** Bad input or usage: nothing was sent. */
  usage: 2,
  /** Configuration or authorisation: the target refused or could not be reached as configured. */
  configuration: 3,
  /** A reviewed plan no longer matches the account: nothing of that request was released. */
  planChanged: 4,
  /** Ctrl-C: the requests in flight finished, the rest were not sent (the shell's convention). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure to report in words, and the exit code it means.
 *
 * @example throw new CliError('no items in numbers.csv', EXIT.usage)
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** A usage or input problem (exit 2): nothing was sent. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

/** A configuration or authorisation problem (exit 3). */
export function configurationError(message: string, options?: ErrorOptions): CliError {
  return new CliError(message, EXIT.configuration, options);
}

/** At most `max` lines listed, then how many more: a report stays readable whatever the input. */
export function listAtMost(lines: readonly string[], max = 20): string {
  const listed = lines.slice(0, max).map((line) => `  ${line}`);
  if (lines.length > max) listed.push(`  …and ${lines.length - max} more not listed`);
  return listed.join('\n');
}
