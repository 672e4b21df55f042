import { describe, expect, it } from 'vitest';
import { DEFAULT_CALLFIRE_ENDPOINT as DEFAULT_SOAP_ENDPOINT } from '../../functions/release/callfire/contract';
import { readConfig } from '../../functions/release/config';
import { ConfigurationError } from '../../functions/release/errors';

const BASE_ENV = { CALLFIRE_SECRET_ID: 'prod/callfire/api' };

function configErrorOf(env: NodeJS.ProcessEnv): ConfigurationError {
  let config: unknown;
  try {
    config = readConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error(`readConfig accepted the environment: ${JSON.stringify(config)}`);
}

describe('readConfig', () => {
  it('applies the defaults when only the secret id is set', () => {
    // Prepare
    const env = { ...BASE_ENV };

    // Act
    const config = readConfig(env);

    // Assess
    expect(config).toEqual({
      secretId: 'prod/callfire/api',
      soapEndpoint: 'https://www.callfire.com/api/1.1/soap12/number',
      callTimeoutMs: 10_000,
      concurrency: 8,
      secretCacheTtlSeconds: 300,
      protectedItemsParameter: undefined,
      protectedItemsTtlSeconds: 60,
      maxEventAgeSeconds: 86_400,
    });
    expect(DEFAULT_SOAP_ENDPOINT).toBe('https://www.callfire.com/api/1.1/soap12/number');
  });

  it('treats empty variables as unset', () => {
    // Prepare
    const env = {
      ...BASE_ENV,
      CALLFIRE_SOAP_ENDPOINT: ' ',
      CALLFIRE_TIMEOUT_MS: '',
      RELEASE_CONCURRENCY: ' ',
      SECRET_CACHE_TTL_SECONDS: '',
    };

    // Act
    const config = readConfig(env);

    // Assess
    expect(config.soapEndpoint).toBe(DEFAULT_SOAP_ENDPOINT);
    expect(config.callTimeoutMs).toBe(10_000);
    expect(config.concurrency).toBe(8);
    expect(config.secretCacheTtlSeconds).toBe(300);
  });

  it('trims the secret id', () => {
    // Act
    const config = readConfig({
      CALLFIRE_SECRET_ID: '  arn:aws:secretsmanager:us-east-1:1:secret:cf  ',
    });

    // Assess
    expect(config.secretId).toBe('arn:aws:secretsmanager:us-east-1:1:secret:cf');
  });

  it.each([
    ['missing', {}],
    ['empty', { CALLFIRE_SECRET_ID: '' }],
    ['blank', { CALLFIRE_SECRET_ID: '   ' }],
  ])('rejects a %s CALLFIRE_SECRET_ID, naming the variable', (_case, env) => {
    // Act
    const error = configErrorOf(env);

    // Assess
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toBe(
      'CALLFIRE_SECRET_ID is not set: it must name the Secrets Manager secret holding the CallFire API username and password',
    );
  });

  it.each([
    ['CALLFIRE_TIMEOUT_MS', '100', 'callTimeoutMs', 100],
    ['CALLFIRE_TIMEOUT_MS', '120000', 'callTimeoutMs', 120_000],
    ['CALLFIRE_TIMEOUT_MS', '2500', 'callTimeoutMs', 2_500],
    ['RELEASE_CONCURRENCY', '1', 'concurrency', 1],
    ['RELEASE_CONCURRENCY', '64', 'concurrency', 64],
    ['SECRET_CACHE_TTL_SECONDS', '0', 'secretCacheTtlSeconds', 0],
    ['SECRET_CACHE_TTL_SECONDS', '86400', 'secretCacheTtlSeconds', 86_400],
  ] as const)('accepts %s=%s (%s %i)', (name, raw, field, expected) => {
    // Prepare
    const env = { ...BASE_ENV, [name]: raw };

    // Act
    const config = readConfig(env);

    // Assess
    expect(config[field]).toBe(expected);
  });

  it.each([
    ['CALLFIRE_TIMEOUT_MS', '99', 100, 120_000],
    ['CALLFIRE_TIMEOUT_MS', '120001', 100, 120_000],
    ['CALLFIRE_TIMEOUT_MS', '1500.5', 100, 120_000],
    ['CALLFIRE_TIMEOUT_MS', '10s', 100, 120_000],
    ['RELEASE_CONCURRENCY', '0', 1, 64],
    ['RELEASE_CONCURRENCY', '65', 1, 64],
    ['RELEASE_CONCURRENCY', '-1', 1, 64],
    ['RELEASE_CONCURRENCY', 'eight', 1, 64],
    ['SECRET_CACHE_TTL_SECONDS', '-1', 0, 86_400],
    ['SECRET_CACHE_TTL_SECONDS', '86401', 0, 86_400],
    ['SECRET_CACHE_TTL_SECONDS', 'NaN', 0, 86_400],
  ])('rejects %s=%s, stating the bounds', (name, raw, min, max) => {
    // Prepare
    const env = { ...BASE_ENV, [name]: raw };

    // Act
    const error = configErrorOf(env);

    // Assess
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toBe(
      `${name} must be a whole number from ${min} to ${max}; got "${raw}"`,
    );
  });

  it.each([
    [
      'https anywhere',
      'https://api.example.com/soap12/number',
      'https://api.example.com/soap12/number',
    ],
    [
      'http on 127.0.0.1',
      'http://127.0.0.1:4010/soap12/number',
      'http://127.0.0.1:4010/soap12/number',
    ],
    ['http on another 127/8 address', 'http://127.0.0.2:4010/', 'http://127.0.0.2:4010/'],
    ['http on localhost', 'http://localhost:4010/number', 'http://localhost:4010/number'],
    ['http on [::1]', 'http://[::1]:4010/number', 'http://[::1]:4010/number'],
  ])('accepts CALLFIRE_SOAP_ENDPOINT %s', (_case, raw, expected) => {
    // Prepare
    const env = { ...BASE_ENV, CALLFIRE_SOAP_ENDPOINT: raw };

    // Act
    const config = readConfig(env);

    // Assess
    expect(config.soapEndpoint).toBe(expected);
  });

  it.each([
    [
      'plain http to a remote host',
      'http://www.callfire.com/api/1.1/soap12/number',
      'must use https',
    ],
    ['plain http to a private address', 'http://10.0.0.5:8080/', 'must use https'],
    [
      'plain http to a name that starts with localhost',
      'http://localhost.attacker.example/',
      'must use https',
    ],
    ['another scheme', 'ftp://127.0.0.1/number', 'must be an http(s) URL'],
    ['not a URL', 'www.callfire.com/api', 'is not a URL'],
    ['garbage', '::::', 'is not a URL'],
  ])('rejects CALLFIRE_SOAP_ENDPOINT: %s', (_case, raw, fragment) => {
    // Prepare
    const env = { ...BASE_ENV, CALLFIRE_SOAP_ENDPOINT: raw };

    // Act
    const error = configErrorOf(env);

    // Assess
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('CALLFIRE_SOAP_ENDPOINT');
    expect(error.message).toContain(fragment);
  });

  // Basic credentials travel in clear over http: only a host on this machine may be trusted with
  // them. "127.attacker.example" is a DNS name anyone can point anywhere, not a 127/8 address.
  it('rejects plain http to a DNS name that merely starts with "127."', () => {
    // Prepare
    const env = { ...BASE_ENV, CALLFIRE_SOAP_ENDPOINT: 'http://127.attacker.example/soap' };

    // Act
    const error = configErrorOf(env);

    // Assess
    expect(error.message).toBe(
      'CALLFIRE_SOAP_ENDPOINT must use https (plain http is allowed only for a loopback address)',
    );
  });
});
