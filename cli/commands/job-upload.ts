/** A big job's items, uploaded to the stack's jobs bucket with S3 PutObject. */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsFailure, clientConfig } from '../aws';
import type { Stack } from '../stack-outputs';

/** Puts `csv` at `bucket`/`key` with the stack's region and the operator's credentials. */
export async function uploadItems(
  stack: Stack,
  bucket: string,
  key: string,
  csv: string,
): Promise<void> {
  // A local S3 endpoint (AWS_ENDPOINT_URL_S3) is an address, not a domain: buckets in the path.
  const local = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
  const client = new S3Client({ ...clientConfig(stack.aws), forcePathStyle: local });
  try {
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: csv, ContentType: 'text/csv' }),
    );
  } catch (error) {
    throw awsFailure(
      error,
      `uploading the items to s3://${bucket}/${key} (s3:PutObject)`,
      stack.aws,
    );
  } finally {
    client.destroy();
  }
}
