/**
 * The {@link JobFiles} on the jobs bucket. S3 calls: GetObject (uploads, items, manifest, result
 * files, summary), HeadObject (the stop marker), PutObject (items with `If-None-Match: *`, the
 * stop marker, results.csv, summary.json), and a presigned GetObject URL for results.csv.
 *
 * The SDK client honours `AWS_ENDPOINT_URL_S3`; a local S3 there is reached by path-style URLs
 * (`http://127.0.0.1:<port>/<bucket>/<key>`), as it has no per-bucket host names.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  type AwsSource,
  failuresOf,
  REQUEST_TIMEOUTS,
  toAwsError,
} from '../../release/aws-read-errors';
import { JobResultsError } from '../errors';
import { type JobItem, type JobSummary, jobKeys } from '../job-contract';
import type { JobFiles, SignedUrl, UploadRead } from '../ports';
import { errorName, httpStatus } from './aws-errors';

const CONFIGURATION_FAILURES: Record<string, string> = {
  AccessDenied:
    'refused access (check the function role; a missing key reads as access denied without s3:ListBucket)',
  NoSuchBucket: 'has no such bucket (check JOBS_BUCKET)',
  PermanentRedirect: 'has the bucket in another region (check AWS_REGION)',
};

/** An S3 client with timeouts that end a hung call, path-style for a local endpoint. */
export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client({
    forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3),
    maxAttempts: 3,
    // Results files are larger than a setting: more time for the answer.
    requestHandler: { ...REQUEST_TIMEOUTS, requestTimeout: 10_000 },
  });
}

/**
 * @param options.signal ends every call when the invocation's time is up
 */
export function createS3JobFiles(options: {
  bucket: string;
  client: S3Client;
  signal?: AbortSignal;
}): JobFiles {
  return new S3JobFiles(options.bucket, options.client, options.signal);
}

class S3JobFiles implements JobFiles {
  private readonly send: { abortSignal?: AbortSignal };

  constructor(
    private readonly bucket: string,
    private readonly client: S3Client,
    signal: AbortSignal | undefined,
  ) {
    this.send = signal ? { abortSignal: signal } : {};
  }

  readUpload(key: string, maxBytes: number): Promise<UploadRead> {
    return this.getText(key, maxBytes);
  }

  async writeItems(jobId: string, items: JobItem[]): Promise<'written' | 'exists'> {
    const Key = jobKeys(jobId).items;
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key,
      Body: JSON.stringify(items),
      ContentType: 'application/json',
      // A conditional write: S3 refuses it (412) when the key exists, so an existing job's items
      // are never replaced, even by a request racing this one.
      IfNoneMatch: '*',
    });
    try {
      await this.client.send(command, this.send);
      return 'written';
    } catch (error) {
      // 409: another conditional write to the key is in progress.
      if (httpStatus(error) === 412 || httpStatus(error) === 409) return 'exists';
      throw toAwsError(error, this.call('writing', Key));
    }
  }

  writeStopMarker(jobId: string): Promise<void> {
    const marker = JSON.stringify({ stopRequestedAt: new Date().toISOString() });
    return this.put(jobKeys(jobId).stop, marker, 'application/json');
  }

  async hasStopMarker(jobId: string): Promise<boolean> {
    const Key = jobKeys(jobId).stop;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }), this.send);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw toAwsError(error, this.call('looking for', Key));
    }
  }

  async readJson(key: string): Promise<unknown> {
    // Items and result files are a few megabytes at most; the limit only guards memory.
    const read = await this.getText(key, 256 * 1024 * 1024);
    if (read.status !== 'read') return undefined;
    try {
      return JSON.parse(read.text) as unknown;
    } catch {
      throw new JobResultsError(`s3://${this.bucket}/${key} is not JSON`);
    }
  }

  async writeResults(jobId: string, csv: string, summary: JobSummary): Promise<void> {
    const keys = jobKeys(jobId);
    await this.put(keys.resultsCsv, csv, 'text/csv; charset=utf-8');
    await this.put(keys.summary, JSON.stringify(summary), 'application/json');
  }

  async resultsUrl(jobId: string, ttlSeconds: number): Promise<SignedUrl> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: jobKeys(jobId).resultsCsv,
      ResponseContentDisposition: `attachment; filename="${jobId}-results.csv"`,
    });
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    return { url: await getSignedUrl(this.client, command, { expiresIn: ttlSeconds }), expiresAt };
  }

  private async getText(Key: string, maxBytes: number): Promise<UploadRead> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key }),
        this.send,
      );
      const declared = answer.ContentLength ?? 0;
      if (declared > maxBytes) {
        // Not read: end the stream so the connection is not left busy.
        (answer.Body as { destroy?: () => void } | undefined)?.destroy?.();
        return { status: 'tooLarge', bytes: declared };
      }
      const text = (await answer.Body?.transformToString('utf-8')) ?? '';
      const bytes = Buffer.byteLength(text, 'utf8');
      return bytes > maxBytes ? { status: 'tooLarge', bytes } : { status: 'read', text };
    } catch (error) {
      if (isMissing(error)) return { status: 'missing' };
      throw toAwsError(error, this.call('reading', Key));
    }
  }

  private async put(Key: string, Body: string, ContentType: string): Promise<void> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key, Body, ContentType });
    try {
      await this.client.send(command, this.send);
    } catch (error) {
      throw toAwsError(error, this.call('writing', Key));
    }
  }

  private call(doing: string, key: string): AwsSource {
    const what = `${doing} s3://${this.bucket}/${key}`;
    return {
      service: 'Amazon S3',
      endpointVariable: 'AWS_ENDPOINT_URL_S3',
      doing: what,
      configurationFailures: failuresOf('Amazon S3', CONFIGURATION_FAILURES, `, ${what}`),
    };
  }
}

/** A missing key: NoSuchKey from GetObject, a bare 404 (NotFound) from HeadObject. */
function isMissing(error: unknown): boolean {
  return ['NoSuchKey', 'NotFound'].includes(errorName(error)) || httpStatus(error) === 404;
}
