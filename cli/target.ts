/**
 * Where the requests go. `--endpoint URL`: the dev server (`npm start`) or another unsigned
 * endpoint; plain http only to a loopback address. `--stack NAME`: the stack's outputs name the
 * release API (`ReleaseEndpoint`) and the job API (`JobsEndpoint`, or beside the release route),
 * and every request is signed with SigV4 for `execute-api`.
 */
import { type AwsOptions, awsCredentials } from './aws';
import { configurationError, usageError } from './errors';
import { type Signer, sigV4Signer } from './signing';
import { describeStack, type Stack, stackOutput } from './stack-outputs';

/** `--endpoint`, `--stack`, `--region`, `--profile` as given. */
export interface TargetOptions extends AwsOptions {
  endpoint?: string | undefined;
  stack?: string | undefined;
}

/** The release and job APIs, and how to sign for them. */
export interface HttpTarget {
  /** `POST` release requests here. */
  releasesUrl: URL;
  /** `POST` jobs here; `GET`/`DELETE` `<this>/<jobId>`. */
  jobsUrl: URL;
  signer?: Signer;
  /** The stack, when the target came from one. */
  stack?: Stack;
  /** For messages: `http://127.0.0.1:3000` or `stack callfire-release-prod (us-east-1)`. */
  label: string;
}

/** Whether `hostname` is this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Checks the target options before anything is read or sent.
 *
 * @throws CliError (exit 2) without exactly one of --endpoint and --stack, or for an endpoint
 *   that is not https or loopback http
 */
export function checkTargetOptions(options: TargetOptions): void {
  if (options.endpoint && options.stack) throw usageError('give --endpoint or --stack, not both');
  if (!options.endpoint && !options.stack) {
    throw usageError(
      'give a target: --endpoint http://127.0.0.1:3000 (npm start) or --stack NAME [--region R] [--profile P]',
    );
  }
  if (options.endpoint) endpointUrl(options.endpoint);
}

function endpointUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw usageError(`--endpoint ${endpoint} is not a URL`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  throw usageError(
    `--endpoint ${url.origin}: plain http only to a loopback address (127.0.0.1, localhost); use https, or --stack for a deployed API`,
  );
}

/** The API's base: the URL without a trailing `/releases` or `/release-jobs`. */
function apiBase(url: URL): URL {
  const base = new URL(url.href);
  base.pathname = base.pathname.replace(/\/+$/, '').replace(/\/(releases|release-jobs)$/, '');
  base.search = '';
  return base;
}

function under(base: URL, path: string): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  return url;
}

/**
 * The release and job APIs of the target.
 *
 * @throws CliError (exit 3) for a stack that cannot be read or lacks `ReleaseEndpoint`, or whose
 *   endpoint is plain http to another machine
 */
export async function resolveHttpTarget(options: TargetOptions): Promise<HttpTarget> {
  checkTargetOptions(options);
  if (options.endpoint) {
    const base = apiBase(endpointUrl(options.endpoint));
    return {
      releasesUrl: under(base, 'releases'),
      jobsUrl: under(base, 'release-jobs'),
      label: base.href.replace(/\/$/, ''),
    };
  }
  const stack = await describeStack(options.stack as string, options);
  const releases = signedUrl(stackOutput(stack, 'ReleaseEndpoint'), 'ReleaseEndpoint');
  const jobsOutput = stack.outputs.JobsEndpoint;
  const jobs = jobsOutput ? signedUrl(jobsOutput, 'JobsEndpoint') : undefined;
  return {
    releasesUrl: under(apiBase(releases), 'releases'),
    jobsUrl:
      jobs && /\/release-jobs\/?$/.test(jobs.pathname)
        ? jobs
        : under(apiBase(jobs ?? releases), 'release-jobs'),
    signer: sigV4Signer({ region: stack.region, credentials: awsCredentials(options.profile) }),
    stack,
    label: `stack ${stack.name} (${stack.region})`,
  };
}

/** A stack output's URL, refused when signed requests would cross the network in plain http. */
function signedUrl(value: string, output: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configurationError(`the stack's ${output} output is not a URL: ${value}`);
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) {
    return url;
  }
  throw configurationError(
    `the stack's ${output} output (${url.origin}) is not https: signed requests are only sent over https, or plain http to a loopback address`,
  );
}
