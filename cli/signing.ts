/**
 * SigV4 for the stack's HTTP API (service `execute-api`), with the AWS SDK's signer and a SHA-256
 * from node:crypto (the README's signing example, as a module). Each attempt is signed afresh, so
 * a retried request carries a current `x-amz-date`.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { rememberSecret } from './redact';

/** The hash the signer needs: SHA-256, or HMAC-SHA-256 when given a key. */
class Sha256 {
  readonly #hash: Hash | Hmac;

  constructor(key?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = key ? createHmac('sha256', toBuffer(key)) : createHash('sha256');
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** Signs one HTTP request: the headers to send, Authorization included. */
export type Signer = (request: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}) => Promise<Record<string, string>>;

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/**
 * A SigV4 signer for `service` in `region`, with credentials from `credentials` (a provider is
 * called for every signature and caches what it resolved).
 *
 * @example await sigV4Signer({ region: 'us-east-1', credentials: fromNodeProviderChain() })({ method: 'POST', url, headers, body })
 */
export function sigV4Signer(options: {
  region: string;
  credentials: Credentials;
  service?: string;
}): Signer {
  const { region, credentials, service = 'execute-api' } = options;
  const remembered = async () => {
    const resolved = typeof credentials === 'function' ? await credentials() : credentials;
    rememberSecret(resolved.secretAccessKey);
    rememberSecret(resolved.sessionToken);
    return resolved;
  };
  const signer = new SignatureV4({ service, region, credentials: remembered, sha256: Sha256 });
  return async ({ method, url, headers, body }) => {
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port && { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      ...(body !== undefined && { body }),
    });
    return signed.headers;
  };
}
