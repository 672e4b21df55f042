/**
 * Checks an AWS Signature Version 4 the way API Gateway does, recomputed here from the request
 * with node:crypto (AWS General Reference, "Create a signed AWS API request"), independently of the
 * SDK's signer that made it: a test that signed and verified with the same library would prove
 * nothing about either.
 */
import { createHash, createHmac } from 'node:crypto';

/** What a verifier needs of an HTTP request. */
export interface SignedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Why a signature is refused, as API Gateway's 403 would say it; undefined when it is valid. */
export function verifySigV4(
  request: SignedRequest,
  expect: { accessKeyId: string; secretAccessKey: string; region: string; service: string },
): string | undefined {
  const authorization = header(request, 'authorization');
  const parsed =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization ?? '',
    );
  if (!parsed) return 'Missing Authentication Token';
  const [, accessKeyId, day, region, service, signedHeaders, signature] =
    parsed as unknown as string[];
  if (accessKeyId !== expect.accessKeyId)
    return 'The security token included in the request is invalid';
  if (region !== expect.region || service !== expect.service)
    return `Credential should be scoped to ${expect.region}/${expect.service}`;
  const amzDate = header(request, 'x-amz-date') ?? '';
  if (!amzDate.startsWith(day as string))
    return 'Date in Credential scope does not match x-amz-date';
  const names = (signedHeaders as string).split(';');
  if (!names.includes('host')) return "'Host' must be a signed header";
  const canonical = canonicalRequest(request, names);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = [day, region, service, 'aws4_request'].reduce<Buffer | string>(
    (secret, part) => hmac(secret, part as string),
    `AWS4${expect.secretAccessKey}`,
  );
  const expected = hmac(key, toSign).toString('hex');
  return expected === signature
    ? undefined
    : 'The request signature we calculated does not match the signature you provided';
}

function canonicalRequest(request: SignedRequest, signedHeaders: string[]): string {
  const url = new URL(request.url, 'http://placeholder');
  // The path as sent (already percent-encoded), each segment encoded once more: SigV4 encodes
  // paths twice for every service but S3.
  const path = url.pathname
    .split('/')
    .map((segment) => encode(segment))
    .join('/');
  const query = [...url.searchParams]
    .map(([name, value]) => `${encode(name)}=${encode(value)}`)
    .sort()
    .join('&');
  const headers = signedHeaders
    .map((name) => `${name}:${(header(request, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payload = header(request, 'x-amz-content-sha256') ?? sha256(request.body);
  return [
    request.method.toUpperCase(),
    path || '/',
    query,
    headers,
    signedHeaders.join(';'),
    payload,
  ].join('\n');
}

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function hmac(key: Buffer | string, value: string): Buffer {
  return createHmac('sha256', key).update(value, 'utf8').digest();
}
