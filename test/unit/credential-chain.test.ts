import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { credentialChain, defaultProvider } from '../../functions/lambda/credential-chain';

const NAMES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_EC2_METADATA_DISABLED',
];
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
let folder: string | undefined;

afterEach(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

/** A shared credentials file with one profile, and the environment pointed at it. */
function profileFile(profile: string, accessKeyId: string): void {
  folder = mkdtempSync(path.join(tmpdir(), 'credential-chain-'));
  const file = path.join(folder, 'credentials');
  writeFileSync(
    file,
    `[${profile}]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = s\n`,
  );
  process.env.AWS_SHARED_CREDENTIALS_FILE = file;
  process.env.AWS_CONFIG_FILE = path.join(folder, 'config');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
}

describe('the Lambda bundles’ credential chain', () => {
  it('answers with the environment’s credentials, session token included, as Lambda sets them', async () => {
    // Arrange
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLAMBDA';
    process.env.AWS_SECRET_ACCESS_KEY = 'lambda-secret';
    process.env.AWS_SESSION_TOKEN = 'lambda-token';
    delete process.env.AWS_PROFILE;

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: 'AKIDLAMBDA',
      secretAccessKey: 'lambda-secret',
      sessionToken: 'lambda-token',
    });
  });

  it('follows the full chain to a profile when the environment has no keys', async () => {
    // Arrange
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      delete process.env[name];
    }
    profileFile('operator', 'AKIDPROFILE');
    process.env.AWS_PROFILE = 'operator';

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials.accessKeyId).toBe('AKIDPROFILE');
  });

  it('prefers a named profile over keys in the environment, as the SDK’s own chain does', async () => {
    // Arrange
    process.env.AWS_ACCESS_KEY_ID = 'AKIDENVIRONMENT';
    process.env.AWS_SECRET_ACCESS_KEY = 'environment-secret';
    profileFile('named', 'AKIDNAMED');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    // Act
    const credentials = await defaultProvider({ profile: 'named' })();
    warn.mockRestore();

    // Assess
    expect(credentials.accessKeyId).toBe('AKIDNAMED');
  });

  describe('where the full chain is not there (a deployed artifact has no node_modules)', () => {
    const missing = () =>
      Promise.reject(new Error("Cannot find module '@aws-sdk/credential-provider-node'"));

    it('falls back to the environment’s keys when a profile was named', async () => {
      // Arrange
      process.env.AWS_ACCESS_KEY_ID = 'AKIDLAMBDA';
      process.env.AWS_SECRET_ACCESS_KEY = 'lambda-secret';
      process.env.AWS_PROFILE = 'someone-set-this';

      // Act
      const credentials = await credentialChain({}, missing)();

      // Assess
      expect(credentials.accessKeyId).toBe('AKIDLAMBDA');
    });

    it('fails as the SDK does without credentials, naming why', async () => {
      // Arrange
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) {
        delete process.env[name];
      }

      // Act
      const read = credentialChain({}, missing)();

      // Assess
      await expect(read).rejects.toMatchObject({
        name: 'CredentialsProviderError',
        message: expect.stringContaining('No AWS credentials in the environment'),
      });
    });
  });
});
