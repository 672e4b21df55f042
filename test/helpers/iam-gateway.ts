/**
 * A stand-in for API Gateway's IAM authorisation in front of a loopback API: every request's SigV4
 * signature is recomputed with the independent verifier (test/helpers/sigv4-verifier.ts); a bad
 * one gets API Gateway's 403 `{"message": …}`, which, like the real one, echoes the canonical
 * request (session token included); a good one is forwarded to `upstream` with the stage prefix
 * taken off, as API Gateway passes `/releases` to a function on stage `prod`. Answers can be
 * queued (`failNext`) to exercise the client's retries.
 */
import { listenOnLoopback, readRequestBody } from '../../local/loopback-server';
import { verifySigV4 } from './sigv4-verifier';

export interface GatewayRequest {
  method: string;
  url: string;
  /** Why the signature was refused; undefined when it checked out. */
  verdict: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Arrival, epoch ms. */
  at: number;
}

/** An answer to give instead of forwarding. */
export interface CannedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface IamGatewayOptions {
  upstream: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** The stage in front of every path, `/prod`; taken off before forwarding. */
  stage?: string;
}

export async function startIamGateway(options: IamGatewayOptions) {
  const requests: GatewayRequest[] = [];
  const failNext: CannedAnswer[] = [];
  const stage = options.stage ?? '';
  const server = await listenOnLoopback(async (request, response) => {
    const body = (await readRequestBody(request, 10 * 1024 * 1024)) ?? '';
    const { method = 'GET', url = '/', headers } = request;
    const verdict = verifySigV4(
      { method, url, headers, body },
      { ...options.credentials, region: options.region, service: 'execute-api' },
    );
    requests.push({ method, url, verdict, headers, body, at: Date.now() });
    const reply = ({ status, body: text = '', headers: extra = {} }: CannedAnswer) => {
      response.writeHead(status, { 'content-type': 'application/json', ...extra });
      response.end(text);
    };
    if (verdict) {
      const token = request.headers['x-amz-security-token'];
      const echo = `\n\nThe Canonical String for this request should have been\n'${method}\n${url}\n\nhost:${request.headers.host}\nx-amz-security-token:${token ?? ''}'\n`;
      return reply({ status: 403, body: JSON.stringify({ message: `${verdict}${echo}` }) });
    }
    const canned = failNext.shift();
    if (canned) return reply(canned);
    const path = url.startsWith(`${stage}/`) ? url.slice(stage.length) : url;
    const forwarded = await fetch(`${options.upstream}${path}`, {
      method,
      headers: { 'content-type': String(headers['content-type'] ?? 'application/json') },
      ...(body && { body }),
    });
    reply({ status: forwarded.status, body: await forwarded.text() });
  });
  return {
    url: `${server.origin}${stage}`,
    requests,
    failNext,
    close: () => server.close(),
  };
}
