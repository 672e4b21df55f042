/**
 * A small fake of the job API's fixed contract, for the CLI's job commands until the real local
 * job runner lands: `POST …/release-jobs` (inline items, at most 5,000, or `source.key` of a file
 * in the fake S3 bucket; 202 new, 200 same id and request, 409 same id another request, 400/413),
 * `GET …/release-jobs/{jobId}` (each read moves the job a third of the way; then SUCCEEDED with a
 * presigned-looking results URL), `DELETE …/release-jobs/{jobId}` (202 stopping, then ABORTED; 200
 * once finished). Beside it: a results file server (records the headers of every download) and a
 * fake S3 PutObject (path-style) for uploaded item files.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody, sendJson } from '../../local/loopback-server';
import { verifySigV4 } from './sigv4-verifier';

interface FakeJob {
  jobId: string;
  digest: string;
  dryRun: boolean;
  total: number;
  done: number;
  failed: number;
  stopping: boolean;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
}

export interface JobApiRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  verdict: string | undefined;
  signed: boolean;
}

/** The results.csv every finished job serves: a comma, quotes and a line break in one message. */
export const FAKE_RESULTS_CSV =
  'kind,number,keyword,shortCode,outcome,reason,errorCode,errorMessage,retryable\r\n' +
  'number,14255551212,,,released,,,,\r\n' +
  'number,14255550000,,,failed,,NOT_FOUND,"CallFire fault NOT_FOUND: ""14255550000"", not found\nin this account",false\r\n';

function refuse(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { requestId: 'fake', error: { code, message } });
}

/** Starts the fake S3 (`PUT /<bucket>/<key>`), keeping what was put. */
export async function startFakeS3() {
  const objects = new Map<string, { body: string; credentialScope: string | undefined }>();
  const server = await listenOnLoopback(async (request, response) => {
    const body = (await readRequestBody(request, 32 * 1024 * 1024)) ?? '';
    const scope = /^AWS4-HMAC-SHA256 Credential=([^,]+),/.exec(
      request.headers.authorization ?? '',
    )?.[1];
    const key = decodeURIComponent(new URL(request.url ?? '/', 'http://s3').pathname.slice(1));
    if (request.method !== 'PUT' || !scope) {
      response
        .writeHead(403, { 'content-type': 'application/xml' })
        .end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    objects.set(key, { body, credentialScope: scope });
    response.writeHead(200, { etag: '"fake"' }).end();
  });
  return { endpoint: server.origin, objects, close: () => server.close() };
}

export interface FakeJobApiOptions {
  /** When set, every request must be signed for execute-api with these credentials. */
  verify?: { accessKeyId: string; secretAccessKey: string; region: string };
  /** Where `source.key` files are looked up, as `<bucket>/<key>`. */
  s3?: { objects: Map<string, unknown>; bucket: string };
  /** Items whose number is listed fail (counted as failed). */
  failing?: readonly string[];
}

export async function startFakeJobApi(options: FakeJobApiOptions = {}) {
  const jobs = new Map<string, FakeJob>();
  const requests: JobApiRequest[] = [];
  const downloads: Array<Record<string, string | string[] | undefined>> = [];
  const files = await listenOnLoopback(async (request, response) => {
    downloads.push(request.headers);
    response.writeHead(200, { 'content-type': 'text/csv' }).end(FAKE_RESULTS_CSV);
  });
  const api = await listenOnLoopback(async (request, response) => {
    const text = (await readRequestBody(request, 10 * 1024 * 1024)) ?? '';
    const { method = 'GET', url = '/', headers } = request;
    const path = new URL(url, 'http://fake').pathname;
    const verdict = options.verify
      ? verifySigV4(
          { method, url, headers, body: text },
          { ...options.verify, service: 'execute-api' },
        )
      : undefined;
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    requests.push({ method, path, body, verdict, signed: Boolean(headers.authorization) });
    if (verdict) return sendJson(response, 403, { message: verdict });
    const match = /\/release-jobs(?:\/([^/]+))?$/.exec(path);
    if (!match) return refuse(response, 404, 'NOT_FOUND', `No route ${method} ${path}`);
    const jobId = match[1] && decodeURIComponent(match[1]);
    if (method === 'POST' && !jobId) return start(body ?? {}, response);
    const job = jobId ? jobs.get(jobId) : undefined;
    if (!job) return refuse(response, 404, 'JOB_NOT_FOUND', `No job ${jobId}`);
    if (method === 'GET') return sendJson(response, 200, describe(advance(job)));
    if (method === 'DELETE') {
      if (job.status !== 'RUNNING')
        return sendJson(response, 200, { jobId: job.jobId, status: job.status, stopping: false });
      job.stopping = true;
      return sendJson(response, 202, { jobId: job.jobId, status: job.status, stopping: true });
    }
    refuse(response, 405, 'METHOD_NOT_ALLOWED', `${method} not allowed`);
  });

  function start(body: Record<string, unknown>, response: ServerResponse) {
    const {
      numbers = [],
      keywords = [],
      source,
      jobId,
      dryRun,
      confirmKeywordRelease,
      skipConfigured,
      ...rest
    } = body as {
      numbers?: string[];
      keywords?: unknown[];
      source?: { key?: string };
      jobId?: string;
      dryRun?: boolean;
      confirmKeywordRelease?: boolean;
      skipConfigured?: boolean;
    };
    if (Object.keys(rest).length > 0)
      return refuse(response, 400, 'INVALID_REQUEST', `unknown fields ${Object.keys(rest)}`);
    if (typeof jobId !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(jobId))
      return refuse(response, 400, 'INVALID_REQUEST', 'jobId');
    let total = numbers.length + keywords.length;
    if (source) {
      const file = options.s3?.objects.get(`${options.s3.bucket}/${source.key}`) as
        | { body: string }
        | undefined;
      if (!file || !source.key?.startsWith('uploads/'))
        return refuse(response, 400, 'INVALID_REQUEST', `no file ${source.key}`);
      total = file.body.split('\r\n').filter(Boolean).length - 1;
    } else if (total > 5000) {
      return refuse(response, 413, 'REQUEST_TOO_LARGE', 'at most 5000 items inline');
    }
    if (keywords.length > 0 && !dryRun && !confirmKeywordRelease) {
      return refuse(response, 400, 'INVALID_REQUEST', 'confirmKeywordRelease');
    }
    const digest = createHash('sha256')
      .update(JSON.stringify({ numbers, keywords, source, dryRun, skipConfigured }))
      .digest('hex');
    const existing = jobs.get(jobId);
    const answer = (status: number, job: FakeJob) =>
      sendJson(response, status, {
        jobId: job.jobId,
        status: job.status,
        statusUrl: `/release-jobs/${job.jobId}`,
      });
    if (existing) {
      if (existing.digest !== digest)
        return refuse(response, 409, 'JOB_EXISTS', `job ${jobId} exists with another request`);
      return answer(200, existing);
    }
    const failed = numbers.filter((number) => options.failing?.includes(number)).length;
    const job: FakeJob = {
      jobId,
      digest,
      dryRun: dryRun === true,
      total,
      done: 0,
      failed,
      stopping: false,
      status: 'RUNNING',
    };
    jobs.set(jobId, job);
    answer(202, job);
  }

  function advance(job: FakeJob): FakeJob {
    if (job.status !== 'RUNNING') return job;
    if (job.stopping) job.status = 'ABORTED';
    else {
      job.done = Math.min(job.total, job.done + Math.ceil(job.total / 3));
      if (job.done === job.total) job.status = 'SUCCEEDED';
    }
    return job;
  }

  function describe(job: FakeJob) {
    const failed = job.status === 'RUNNING' ? 0 : job.failed;
    const ok = job.done - failed;
    return {
      jobId: job.jobId,
      status: job.status,
      dryRun: job.dryRun,
      counts: {
        total: job.total,
        done: job.done,
        released: job.dryRun ? 0 : ok,
        failed,
        skipped: 0,
        wouldRelease: job.dryRun ? ok : 0,
        alreadyReleased: 0,
      },
      startedAt: '2026-12-01T09:00:00.000Z',
      ...(job.status !== 'RUNNING' && { stoppedAt: '2026-12-01T09:05:00.000Z' }),
      ...(job.status === 'SUCCEEDED' && {
        results: {
          url: `${files.origin}/jobs/${job.jobId}/results.csv?X-Amz-Credential=AKIDRESULTS%2F20261201&X-Amz-Signature=0123456789abcdef`,
          expiresAt: '2026-12-01T10:05:00.000Z',
          format: 'csv',
        },
      }),
    };
  }

  return {
    url: api.origin,
    jobs,
    requests,
    downloads,
    close: async () => {
      await Promise.all([api.close(), files.close()]);
    },
  };
}
