import { isIPv4 } from 'node:net';
import { DEFAULT_CALLFIRE_ENDPOINT } from './callfire/contract';
import { ConfigurationError } from './errors';

/** The function's settings, read from the environment once per container. */
export interface Config {
  secretId: string;
  soapEndpoint: string;
  /** Deadline of one CallFire call. */
  callTimeoutMs: number;
  /** Items in flight at once. */
  concurrency: number;
  secretCacheTtlSeconds: number;
  /** The SSM parameter listing what must never be released; none when unset. */
  protectedItemsParameter: string | undefined;
  protectedItemsTtlSeconds: number;
  /** EventBridge events older than this are refused as stale. */
  maxEventAgeSeconds: number;
}

/**
 * Reads and checks the settings. A bad deploy is reported by name at cold start rather than as an
 * odd failure in the middle of a release.
 *
 * @throws ConfigurationError naming the variable and what it must be
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const secretId = env.CALLFIRE_SECRET_ID?.trim();
  if (!secretId) {
    throw new ConfigurationError(
      'CALLFIRE_SECRET_ID is not set: it must name the Secrets Manager secret holding the CallFire API username and password',
    );
  }
  return {
    secretId,
    soapEndpoint: endpoint(env.CALLFIRE_SOAP_ENDPOINT),
    callTimeoutMs: integer(env, 'CALLFIRE_TIMEOUT_MS', 10_000, 100, 120_000),
    concurrency: integer(env, 'RELEASE_CONCURRENCY', 8, 1, 64),
    secretCacheTtlSeconds: integer(env, 'SECRET_CACHE_TTL_SECONDS', 300, 0, 86_400),
    protectedItemsParameter: parameterName(env.PROTECTED_ITEMS_PARAMETER),
    protectedItemsTtlSeconds: integer(env, 'PROTECTED_ITEMS_TTL_SECONDS', 60, 0, 3_600),
    maxEventAgeSeconds: integer(env, 'MAX_EVENT_AGE_SECONDS', 86_400, 60, 30 * 86_400),
  };
}

function parameterName(value: string | undefined): string | undefined {
  const name = value?.trim();
  if (!name) return undefined;
  // A name (`/callfire-release/prod/protected-items`) or an ARN, as SSM's GetParameter takes it.
  if (!/^(arn:[^\s]+:parameter)?\/?[A-Za-z0-9_.\-/]{1,2048}$/.test(name)) {
    throw new ConfigurationError(
      `PROTECTED_ITEMS_PARAMETER must name an SSM parameter, such as /callfire-release/prod/protected-items; got "${name.slice(0, 80)}"`,
    );
  }
  return name;
}

function endpoint(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return DEFAULT_CALLFIRE_ENDPOINT;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError('CALLFIRE_SOAP_ENDPOINT is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError('CALLFIRE_SOAP_ENDPOINT must be an http(s) URL');
  }
  // Credentials travel as Basic auth: plain http is only acceptable to a server on this machine.
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ConfigurationError(
      'CALLFIRE_SOAP_ENDPOINT must use https (plain http is allowed only for a loopback address)',
    );
  }
  return url.toString();
}

function isLoopback(hostname: string): boolean {
  // An IPv4 literal in 127/8, not any DNS name that happens to start with "127.".
  const ipv4Loopback = isIPv4(hostname) && hostname.startsWith('127.');
  return hostname === 'localhost' || hostname === '[::1]' || ipv4Loopback;
}

/**
 * A whole-number setting from `min` to `max`, `fallback` when unset or blank.
 *
 * @throws ConfigurationError naming the variable and its range
 */
export function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `${name} must be a whole number from ${min} to ${max}; got "${raw}"`,
    );
  }
  return value;
}
