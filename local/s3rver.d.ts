// s3rver ships no types: the part of its API the local S3 (local/s3.ts) and the tests use.
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    configureBuckets?: { name: string; configs: (string | Buffer)[] }[];
  }

  namespace S3rver {
    /** The Koa context, as far as a middleware in front of s3rver's routes reads it. */
    interface Context {
      readonly path: string;
      readonly method: string;
      get(header: string): string;
      status: number;
      type: string;
      body: unknown;
      store: { existsObject(bucket: string, key: string): Promise<boolean> };
    }
    type Middleware = (ctx: Context, next: () => Promise<void>) => Promise<void>;
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    /** Koa's middleware list, composed when the server starts listening. */
    middleware: S3rver.Middleware[];
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
  export default S3rver;
}
