// The README's Node.js signing example, run as printed (an ES module next to release-request.json)
// against a loopback endpoint that recomputes its SigV4 signature independently of the SDK.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySigV4 } from '../helpers/sigv4-verifier';
import { ROOT } from './package-stack';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLESIGNING',
  secretAccessKey: 'signing-example-secret',
};
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The ```js block that starts with `// <name>`. */
function codeBlock(name: string): string {
  const match = new RegExp(`\`\`\`js\\n// ${name.replace('.', '\\.')}\\n([\\s\\S]*?)\`\`\``).exec(
    README,
  );
  if (!match?.[1]) throw new Error(`README.md has no \`\`\`js block starting with // ${name}`);
  return match[1];
}

let server: Server;
let endpoint: string;
const received: Array<{ verdict: string | undefined; body: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const verdict = verifySigV4(
        { method: request.method ?? '', url: request.url ?? '/', headers: request.headers, body },
        { ...CREDENTIALS, region: 'us-east-1', service: 'execute-api' },
      );
      received.push({ verdict, body });
      response.writeHead(verdict ? 403 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(verdict ? { message: verdict } : { summary: { released: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("README's Node.js signing example", () => {
  it('runs as printed and sends a request whose SigV4 signature checks out', async () => {
    // Prepare: in dist/ so that Node resolves the packages from the project's node_modules.
    const folder = join(ROOT, 'dist', 'doc-examples');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'sign-release.mjs'), codeBlock('sign-release.mjs'));
    writeFileSync(join(folder, 'release-request.json'), '{"numbers":["14255551212"]}');

    // Act
    const { stdout } = await promisify(execFile)(process.execPath, ['sign-release.mjs'], {
      cwd: folder,
      env: {
        PATH: process.env.PATH,
        RELEASE_ENDPOINT: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      },
    });

    // Assess
    expect(received).toEqual([{ verdict: undefined, body: '{"numbers":["14255551212"]}' }]);
    expect(stdout).toContain('200');
  });

  it('has a verifier that refuses a signature made with another secret', () => {
    // Prepare: a request signed for another secret cannot pass.
    const request = {
      method: 'POST',
      url: '/releases',
      headers: {
        host: 'example.test',
        'x-amz-date': '20261202T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLESIGNING/20261202/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
          '0'.repeat(64),
      },
      body: '{}',
    };

    // Act
    const verdict = verifySigV4(request, {
      ...CREDENTIALS,
      region: 'us-east-1',
      service: 'execute-api',
    });

    // Assess
    expect(verdict).toBe(
      'The request signature we calculated does not match the signature you provided',
    );
  });
});
