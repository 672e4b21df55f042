/**
 * The options commands share (target, output, concurrency) and their parsers: a bad value is a
 * usage error (exit 2) naming the option.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';

/** The options every command that talks to the APIs takes. */
export interface TargetFlags {
  endpoint?: string;
  stack?: string;
  region?: string;
  profile?: string;
}

/** Output options. */
export interface OutputFlags {
  json?: boolean;
  /** Seconds between progress lines when stderr is not a terminal. */
  progressInterval: number;
}

/** Adds --endpoint, --stack, --region, --profile. */
export function addTargetOptions(command: Command): Command {
  return command
    .option(
      '--endpoint <url>',
      'the release API, unsigned: the dev server of npm start (http://127.0.0.1:3000); plain http only to a loopback address',
    )
    .option(
      '--stack <name>',
      'a deployed stack: its outputs say where the APIs are; requests are signed (SigV4, execute-api)',
    )
    .option('--region <region>', "the stack's region (default: AWS_REGION or the profile's)")
    .option('--profile <profile>', 'the AWS profile whose credentials sign the requests');
}

/** Adds --json and --progress-interval. */
export function addOutputOptions(command: Command): Command {
  return command
    .option('--json', 'print one JSON document on stdout (no progress bar)')
    .addOption(
      new Option(
        '--progress-interval <seconds>',
        'seconds between progress lines when stderr is not a terminal',
      )
        .argParser(positiveNumber)
        .default(5),
    );
}

/** Adds --concurrency (requests in flight, default 2). */
export function addConcurrencyOption(command: Command): Command {
  return command.addOption(
    new Option('--concurrency <n>', 'requests of at most 100 items in flight at once (1-10)')
      .argParser(integerBetween(1, 10))
      .default(2),
  );
}

/** A number above 0. */
export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError('expected a number above 0');
  return number;
}

/** A parser for a whole number from `min` to `max`. */
export function integerBetween(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return number;
  };
}
