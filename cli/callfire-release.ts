/**
 * `callfire-release`: the operators' command line. Plans and releases numbers and keywords from a
 * spreadsheet through the release API (the dev server of `npm start`, or a deployed stack with
 * SigV4), runs bulk jobs, and schedules one-off releases.
 *
 * Exit codes: 0 nothing failed, 1 some items failed, 2 bad input or usage (nothing sent),
 * 3 configuration or authorisation, 4 a reviewed plan changed (nothing of it released),
 * 130 interrupted (Ctrl-C).
 */
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './errors';
import { addCommands } from './program';
import { redact } from './redact';

// The SDK's notice that its 2027 releases need Node 22: this tool also runs on Node 20, and the
// notice says nothing the operator can act on in the middle of a release.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('callfire-release');
  let exitCode: number = EXIT.ok;
  program.exitOverride();
  program.configureOutput({ outputError: (text, write) => write(redact(text)) });
  addCommands(program, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'node' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliError) {
      process.stderr.write(`callfire-release: ${redact(error.message)}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`callfire-release: unexpected error: ${redact(message)}\n`);
    return EXIT.itemsFailed;
  }
}

main(process.argv).then((code) => {
  // Exit once stdout is written: open keep-alive sockets must not hold the process.
  process.stdout.write('', () => process.exit(code));
});
