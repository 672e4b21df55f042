/**
 * A local S3 for bulk jobs: s3rver on 127.0.0.1 with the given buckets, its objects in a temporary
 * directory removed on close. The SDK reaches it through `AWS_ENDPOINT_URL_S3` with path-style
 * URLs (`http://127.0.0.1:<port>/<bucket>/<key>`, presigned ones included).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/**
 * s3rver knows one access key, its own: any other is refused (InvalidAccessKeyId). It does not
 * verify SigV4 signatures, so only the key id matters.
 */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A running local S3. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_S3`. */
  readonly endpoint: string;
  /** A new SDK client of it: path-style, with the key it takes. */
  client(): S3Client;
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 (`port` 0 or absent: a free one) with `buckets` created. */
export async function startLocalS3(options: {
  port?: number;
  buckets: string[];
}): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(tmpdir(), 'callfire-release-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  });
  server.middleware.unshift(honourIfNoneMatch);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    client: () =>
      new S3Client({
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: LOCAL_S3_CREDENTIALS,
      }),
    async close() {
      // s3rver's close() waits for busy keep-alive sockets (the SDK's): end them first.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver 3.7.1 ignores `If-None-Match: *` on PutObject and overwrites; S3 refuses the write with
 * 412 PreconditionFailed when the key exists. The job API relies on that refusal so that a job's
 * items file is never replaced; this middleware, run before s3rver's routes, gives it back.
 */
const honourIfNoneMatch: S3rver.Middleware = async (ctx, next) => {
  const [, bucket = '', ...key] = ctx.path.split('/').map(decodeURIComponent);
  const name = key.join('/');
  const conditional = ctx.method === 'PUT' && ctx.get('if-none-match') === '*' && name !== '';
  if (!conditional || !(await ctx.store.existsObject(bucket, name))) return next();
  ctx.status = 412;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
    '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
    '<Condition>If-None-Match</Condition></Error>';
};
