/** The commands, their options and their help (with examples). */
import { type Command, Option } from 'commander';
import { version } from '../package.json';
import { addConcurrencyOption, addOutputOptions, addTargetOptions, positiveNumber } from './args';
import {
  jobResultsCommand,
  jobStartCommand,
  jobStatusCommand,
  jobStopCommand,
  jobWaitCommand,
} from './commands/job';
import { planCommand } from './commands/plan';
import { releaseCommand } from './commands/release';
import {
  scheduleCancelCommand,
  scheduleCreateCommand,
  scheduleListCommand,
} from './commands/schedule';

const EXIT_CODES = `
Exit codes: 0 nothing failed, 1 some items failed, 2 bad input or usage (nothing sent),
3 configuration or authorisation, 4 a reviewed plan changed (nothing of it released),
130 interrupted (Ctrl-C: requests in flight finished, the rest not sent).`;

const INPUT = `
Input: a CSV file with a header row (number, or keyword and shortCode; other columns are
ignored, so a results file can be fed back), or one number per line; - reads stdin; # starts a
comment. Every bad row is reported with its line number and nothing is sent.`;

type SetExit = (code: number) => void;

/** Adds every command to `program`; `setExit` receives each command's exit code. */
export function addCommands(program: Command, setExit: SetExit): void {
  program
    .description(
      'Plan, release, schedule and run bulk jobs of CallFire number and keyword releases.',
    )
    .version(version)
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `${EXIT_CODES}\n\nStart with: npx callfire-release plan --help`);
  addPlan(program, setExit);
  addRelease(program, setExit);
  addJob(program, setExit);
  addSchedule(program, setExit);
}

function itemOptions(command: Command): Command {
  return command.option('--numbers <number...>', 'numbers given as arguments instead of a file');
}

function addPlan(program: Command, setExit: SetExit): void {
  const command = program
    .command('plan')
    .description(
      'dry run of every item, in requests of at most 100: what a release would do, and the plan hash of each request',
    )
    .argument('[file]', 'CSV or plain lines of numbers; - for stdin')
    .option(
      '--skip-configured',
      'numbers in use (an IVR or call tracking) are skipped, not released',
    )
    .option(
      '--out-plan <file>',
      "write the plan (each request's items and hash) for release --plan-file",
    )
    .option('--out <file>', 'write a results CSV of the dry run');
  itemOptions(command);
  addConcurrencyOption(addOutputOptions(addTargetOptions(command)));
  command
    .addHelpText(
      'after',
      `${INPUT}

Examples:
  npx callfire-release plan numbers.csv --endpoint http://127.0.0.1:3000 --out-plan plan.json
  npx callfire-release plan numbers.csv --stack callfire-release-prod --profile ops --skip-configured
  cut -d, -f1 export.csv | npx callfire-release plan - --endpoint http://127.0.0.1:3000 --json
${EXIT_CODES}`,
    )
    .action(async (file, flags) => setExit(await planCommand(file, flags)));
}

function addRelease(program: Command, setExit: SetExit): void {
  const command = program
    .command('release')
    .description('release the items in requests of at most 100, a few in flight, with retries')
    .argument('[file]', 'CSV or plain lines of numbers; - for stdin (optional with --plan-file)')
    .option('--dry-run', 'look every item up, release nothing')
    .option(
      '--confirm-keyword-release',
      'release keywords too (a released keyword cannot be bought back for a month)',
    )
    .option(
      '--skip-configured',
      'numbers in use (an IVR or call tracking) are skipped, not released',
    )
    .option(
      '--plan <hash...>',
      'release exactly the reviewed plan: one hash per request, in the order plan printed them',
    )
    .option(
      '--plan-file <file>',
      'release exactly the requests of a plan written by plan --out-plan',
    )
    .option('--out <file>', 'write a results CSV: one row per item')
    .option('--resume <file>', 'skip the items a previous results CSV shows released or skipped');
  itemOptions(command);
  addConcurrencyOption(addOutputOptions(addTargetOptions(command)));
  command
    .addHelpText(
      'after',
      `${INPUT}

Failed requests are retried (HTTP 429, 5xx, network errors; Retry-After is honoured) a few
times, then their items are reported failed. With a plan, every request is checked by a dry run
first: if any changed, nothing is released (exit 4).

Examples:
  npx callfire-release release --plan-file plan.json --endpoint http://127.0.0.1:3000 --out results.csv
  npx callfire-release release numbers.csv --stack callfire-release-prod --profile ops --out results.csv
  npx callfire-release release numbers.csv --stack callfire-release-prod --resume results.csv --out results.csv
  npx callfire-release release --numbers 14255551212 4255551213 --endpoint http://127.0.0.1:3000
${EXIT_CODES}`,
    )
    .action(async (file, flags) => setExit(await releaseCommand(file, flags)));
}

function intervalOption(): Option {
  // The job API shares the stage's 5 requests/second with every caller.
  return new Option('--interval <seconds>', 'seconds between status reads while waiting')
    .argParser(positiveNumber)
    .default(10);
}

function addJob(program: Command, setExit: SetExit): void {
  const job = program
    .command('job')
    .description('bulk release jobs (up to 100,000 items) on the job API')
    .addHelpText(
      'after',
      `
Examples:
  npx callfire-release job start numbers.csv --stack callfire-release-prod --dry-run --wait
  npx callfire-release job status job-20261224090000-k3v9x0ab --stack callfire-release-prod
  npx callfire-release job results job-20261224090000-k3v9x0ab --stack callfire-release-prod --out results.csv`,
    );
  const start = job
    .command('start')
    .description(
      'start a job: up to 5,000 items inline, more uploaded to the jobs bucket (--stack)',
    )
    .argument('[file]', 'CSV or plain lines of numbers; - for stdin')
    .option('--dry-run', 'look every item up, release nothing')
    .option('--wait', 'then wait for it, with progress')
    .option(
      '--job-id <id>',
      'the job id (1-80 letters, digits, _ -): starting it again is harmless',
    )
    .option(
      '--confirm-keyword-release',
      'release keywords too (a released keyword cannot be bought back for a month)',
    )
    .option(
      '--skip-configured',
      'numbers in use (an IVR or call tracking) are skipped, not released',
    )
    .addOption(intervalOption());
  itemOptions(start);
  addOutputOptions(addTargetOptions(start))
    .addHelpText(
      'after',
      `${INPUT}\n\nExample:\n  npx callfire-release job start numbers.csv --stack callfire-release-prod --wait\n${EXIT_CODES}`,
    )
    .action(async (file, flags) => setExit(await jobStartCommand(file, flags)));
  const commands = [
    ['status', "print a job's status and counts", jobStatusCommand],
    [
      'wait',
      'wait until the job is no longer RUNNING, with progress (exit 1 if items failed)',
      jobWaitCommand,
    ],
    ['results', "download the job's results CSV (--out)", jobResultsCommand],
    ['stop', 'stop a job: batches in flight finish, no new one starts', jobStopCommand],
  ] as const;
  for (const [name, description, run] of commands) {
    const command = job.command(name).description(description).argument('<jobId>', 'the job id');
    if (name === 'results') command.option('--out <file>', 'where to write the results CSV');
    if (name === 'wait') command.addOption(intervalOption());
    addOutputOptions(addTargetOptions(command))
      .addHelpText(
        'after',
        `\nExample:\n  npx callfire-release job ${name} job-20261224090000-k3v9x0ab --stack callfire-release-prod${name === 'results' ? ' --out results.csv' : ''}\n${EXIT_CODES}`,
      )
      .action(async (jobId, flags) => setExit(await run(jobId, { interval: 10, ...flags })));
  }
}

function stackOptions(command: Command): Command {
  return command
    .option('--stack <name>', 'the deployed stack whose schedule group, role and function are used')
    .option('--region <region>', "the stack's region (default: AWS_REGION or the profile's)")
    .option('--profile <profile>', 'the AWS profile to use')
    .option('--json', 'print one JSON document on stdout');
}

function addSchedule(program: Command, setExit: SetExit): void {
  const schedule = program
    .command('schedule')
    .description("one-off EventBridge Scheduler releases in the stack's schedule group");
  const create = schedule
    .command('create')
    .description(
      'schedule a release at a local time: one schedule per 100 items (NAME-1, NAME-2… when more)',
    )
    .argument('[file]', 'CSV or plain lines of numbers; - for stdin')
    .option('--at <time>', 'local date and time, such as 2026-12-24T09:00')
    .option('--timezone <zone>', 'IANA time zone of --at, such as America/Los_Angeles')
    .option('--name <name>', 'schedule name (default release-<date>-<time>-<random>)')
    .option(
      '--confirm-keyword-release',
      'release keywords too (a released keyword cannot be bought back for a month)',
    )
    .option(
      '--skip-configured',
      'numbers in use (an IVR or call tracking) are skipped, not released',
    );
  itemOptions(create);
  stackOptions(create)
    .addHelpText(
      'after',
      `${INPUT}

The request is checked with the release function's own validator before anything is created,
and carries notAfter: 6 hours after the time, it releases nothing.

Example:
  npx callfire-release schedule create numbers.csv --at 2026-12-24T09:00 --timezone America/Los_Angeles \\
    --name xmas-release --stack callfire-release-prod --profile ops
${EXIT_CODES}`,
    )
    .action(async (file, flags) => setExit(await scheduleCreateCommand(file, flags)));
  stackOptions(schedule.command('list').description("list the schedules of the stack's group"))
    .addHelpText(
      'after',
      '\nExample:\n  npx callfire-release schedule list --stack callfire-release-prod',
    )
    .action(async (flags) => setExit(await scheduleListCommand(flags)));
  stackOptions(
    schedule
      .command('cancel')
      .description('delete a schedule (or all the parts NAME-1, NAME-2… of a split one)')
      .argument('<name>', 'the schedule name'),
  )
    .addHelpText(
      'after',
      '\nExample:\n  npx callfire-release schedule cancel xmas-release --stack callfire-release-prod',
    )
    .action(async (name, flags) => setExit(await scheduleCancelCommand(name, flags)));
}
