import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

/** What `soap`'s HttpClient hands its `request` function (the part of its request config used here). */
export interface SoapHttpRequest {
  url: string;
  method: string;
  headers: Record<string, string | number>;
  data?: string | Buffer;
  signal?: AbortSignal;
}

/** What `soap` reads back: the status, the headers and the body as text. */
export interface SoapHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  data: string;
}

/** An answer this large is no SOAP response of NumberService's; stop reading rather than buffer it. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const SOAP_ENVELOPE = /<([\w.-]+:)?Envelope[\s>]/;

/**
 * The HTTP transport `soap` uses for CallFire calls, in place of its default axios instance (which
 * cost a third of a release's CPU and a sixth of the cold start: bench/README.md).
 *
 * `soap` still builds every envelope and parses every answer; this only moves the bytes, over
 * `node:http(s)` with keep-alive agents.
 *
 * It also refuses any answer that is not a SOAP envelope: `soap` accepts every status and, for an
 * operation without output parts such as `Release`, reads a non-XML body as success (a proxy's 503
 * `{"message":"down"}` would read as "released"). Such an answer is rejected with its status
 * only, which the error mapping reads (401: credentials rejected).
 */
export function createSoapTransport(): (request: SoapHttpRequest) => Promise<SoapHttpResponse> {
  const agentOptions = { keepAlive: true, maxSockets: 64, keepAliveMsecs: 1_000 };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  // The endpoint never changes: parse it once, not twice per call (URL and http options).
  const targets = new Map<string, { secure: boolean; options: http.RequestOptions }>();
  const targetOf = (href: string) => {
    let target = targets.get(href);
    if (!target) {
      const url = new URL(href);
      const secure = url.protocol === 'https:';
      target = {
        secure,
        options: {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port,
          path: `${url.pathname}${url.search}`,
          agent: secure ? agents['https:'] : agents['http:'],
        },
      };
      targets.set(href, target);
    }
    return target;
  };

  return (request) =>
    new Promise<SoapHttpResponse>((resolveWith, rejectWith) => {
      const { signal } = request;
      if (signal?.aborted) {
        rejectWith(abortError());
        return;
      }
      // One listener of our own: http.request's `signal` option registers two per call.
      const onAbort = () => req.destroy(abortError());
      const done = () => signal?.removeEventListener('abort', onAbort);
      const resolve = (response: SoapHttpResponse) => {
        done();
        resolveWith(response);
      };
      // Once our own signal fired, whatever the socket reports (a reset mid-answer, say) is the abort.
      const reject = (error: unknown) => {
        done();
        rejectWith(signal?.aborted ? abortError() : error);
      };
      const { secure, options } = targetOf(request.url);
      const send = secure ? https.request : http.request;
      const req = send({ ...options, method: request.method, headers: request.headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            res.destroy(notSoap(res.statusCode ?? 0, 'an answer over 1 MiB'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const data = Buffer.concat(chunks).toString('utf8');
          if (!SOAP_ENVELOPE.test(data)) {
            reject(notSoap(status, 'no SOAP envelope'));
            return;
          }
          resolve({ status, headers: res.headers, data });
        });
      });
      req.on('error', reject);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(request.data);
    });
}

function abortError(): Error {
  return Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Shaped like the HTTP errors the mapping reads (`response.status`), and carrying nothing else. */
function notSoap(status: number, what: string): Error {
  return Object.assign(new Error(`HTTP ${status} with ${what}`), {
    code: 'ERR_NOT_SOAP',
    response: { status },
  });
}
