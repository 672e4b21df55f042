import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { NAMESPACES, SOAP12_MEDIA_TYPE } from './contract';

/** One request to send: `soap`'s envelope with its headers, and the attempt's signal. */
interface SoapHttpRequest {
  url: string;
  headers: Record<string, string | number>;
  data: string;
  signal?: AbortSignal;
}

/** What `soap` reads back: the status, the headers and the body as text. */
export interface SoapHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  data: string;
}

/** The keep-alive agents' options (the bench's raw floor uses the same). */
export const AGENT_OPTIONS: http.AgentOptions = {
  keepAlive: true,
  maxSockets: 64,
  keepAliveMsecs: 1_000,
};

/** An answer this large is no SOAP response of NumberService's; stop reading rather than buffer it. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * The HTTP transport under {@link createSoapHttpClient}, in place of `soap`'s axios-based client
 * (which cost a third of a release's CPU and a sixth of the cold start: bench/README.md).
 *
 * `soap` still builds every envelope and parses every answer; this only moves the bytes, over
 * `node:http(s)` with keep-alive agents, and judges what came back before `soap` sees it (see
 * {@link judgeAnswer}): `soap` reads an empty 200, a SOAP 1.1 envelope or an Envelope without Body
 * as a successful `Release` (an operation without output parts), so anything but a real SOAP 1.2
 * success or fault is rejected here with its status and headers only. Redirects are never followed.
 *
 * A failure after the request was written out (`requestSent`) leaves the outcome unknown: CallFire
 * may have applied it. The release core looks such items up rather than guessing.
 */
function createSoapTransport(): (request: SoapHttpRequest) => Promise<SoapHttpResponse> {
  const agents = {
    'http:': new http.Agent(AGENT_OPTIONS),
    'https:': new https.Agent(AGENT_OPTIONS),
  };
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
  return (request) => send(request, targetOf(request.url));
}

/** What `soap`'s Client calls to send a request (its IHttpClient), callback-style. */
export interface SoapHttpClient {
  request(
    url: string,
    data: string,
    callback: (error: unknown, response?: SoapHttpResponse, body?: string) => void,
    headers?: Record<string, string | number>,
    options?: { signal?: AbortSignal },
  ): void;
}

/**
 * `soap`'s HTTP client (its `httpClient` option) over our transport: the Client hands it the
 * envelope, the Content-Type with the action and our Authorization header; the answer goes back as
 * soap's own client would give it (status, headers, body text).
 */
export function createSoapHttpClient(): SoapHttpClient {
  const transport = createSoapTransport();
  return {
    request(url, data, callback, headers = {}, options = {}) {
      const request: SoapHttpRequest = {
        url,
        headers: {
          Accept: SOAP12_MEDIA_TYPE,
          ...headers,
          'Content-Length': Buffer.byteLength(data, 'utf8'),
        },
        data,
        ...(options.signal ? { signal: options.signal } : {}),
      };
      transport(request).then(
        (response) => callback(null, response, trimToEnvelope(response.data)),
        (error: unknown) => callback(error),
      );
    },
  };
}

/** What soap's own HttpClient does to a body (handleResponse): drop the first comment and anything around the Envelope. */
function trimToEnvelope(body: string): string {
  const envelope = /(?:<\?[^?]*\?>[\s]*)?<([^:]*):Envelope([\S\s]*)<\/\1:Envelope>/i.exec(
    body.replace(/<!--[\s\S]*?-->/, ''),
  );
  return envelope ? envelope[0] : body;
}

// Release's success is an empty Body, which the transport has already judged a SOAP 1.2 success
// (status, media type, namespace, no Fault). This is that envelope and nothing else.
const EMPTY_SUCCESS = new RegExp(
  `^(?:<\\?xml[^>]*\\?>)?\\s*<([A-Za-z_][\\w.-]*):Envelope\\s+xmlns:\\1="${NAMESPACES.soap12Envelope.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"\\s*>\\s*(<\\1:Header\\s*\\/>\\s*)?<\\1:Body\\s*(?:\\/>|>\\s*<\\/\\1:Body>)\\s*<\\/\\1:Envelope>\\s*$`,
);

/**
 * Lets `soap` skip its XML parser for exactly an empty SOAP 1.2 success envelope, answering what
 * its parser answers for it (`{ Body: null }`, with `Header: null` when an empty Header is there):
 * sax costs a release more CPU than anything else of ours. Faults and look-ups, which have
 * content, are parsed by `soap` as before.
 */
export function skipParsingEmptySuccess(client: unknown): void {
  const wsdl = (client as { wsdl: { xmlToObject(xml: string, callback?: unknown): unknown } }).wsdl;
  const parse = wsdl.xmlToObject.bind(wsdl);
  wsdl.xmlToObject = (xml, callback) => {
    const empty =
      callback === undefined && typeof xml === 'string' ? EMPTY_SUCCESS.exec(xml) : null;
    if (!empty) return parse(xml, callback);
    return empty[2] === undefined ? { Body: null } : { Header: null, Body: null };
  };
}

function send(
  request: SoapHttpRequest,
  { secure, options }: { secure: boolean; options: http.RequestOptions },
): Promise<SoapHttpResponse> {
  return new Promise<SoapHttpResponse>((resolveWith, rejectWith) => {
    const { signal } = request;
    if (signal?.aborted) {
      rejectWith(abortError(false));
      return;
    }
    let sent = false;
    // One listener of our own: http.request's `signal` option registers two per call.
    const onAbort = () => req.destroy(abortError(sent));
    const done = () => signal?.removeEventListener('abort', onAbort);
    const resolve = (response: SoapHttpResponse) => {
      done();
      resolveWith(response);
    };
    // Once our own signal fired, whatever the socket reports (a reset mid-answer, say) is the abort.
    const reject = (error: unknown) => {
      done();
      rejectWith(signal?.aborted ? abortError(sent) : markSent(error, sent));
    };
    const transmit = secure ? https.request : http.request;
    const req = transmit({ ...options, method: 'POST', headers: request.headers }, (res) =>
      readAnswer(res, resolve, reject),
    );
    req.on('finish', () => {
      sent = true;
    });
    req.on('error', reject);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(request.data);
  });
}

function readAnswer(
  res: http.IncomingMessage,
  resolve: (response: SoapHttpResponse) => void,
  reject: (error: unknown) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      res.destroy(notSoap(res.statusCode ?? 0, res.headers, 'an answer over 1 MiB'));
      return;
    }
    chunks.push(chunk);
  });
  res.on('error', reject);
  res.on('end', () => {
    const status = res.statusCode ?? 0;
    const data = Buffer.concat(chunks).toString('utf8');
    const problem = judgeAnswer(status, res.headers['content-type'], data);
    if (problem) reject(notSoap(status, res.headers, problem));
    else resolve({ status, headers: res.headers, data });
  });
}

const SOAP12_ENVELOPE_NS = NAMESPACES.soap12Envelope;
/** The prolog, then the root element's start tag: `<prefix:Envelope attributes>`. */
const ROOT =
  /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)([^>]*)>/;

/** The patterns for an envelope's prefix, compiled once per prefix (one or two ever seen). */
const PATTERNS = new Map<string, { declaration: RegExp; body: RegExp; fault: RegExp }>();
function patternsFor(prefix: string) {
  let patterns = PATTERNS.get(prefix);
  if (!patterns) {
    // A prefix may hold '.', a pattern character; the rest of an XML name is literal.
    const name = prefix.replaceAll('.', '\\.');
    const qualified = name ? `${name}:` : '';
    patterns = {
      declaration: new RegExp(`\\sxmlns${name ? `:${name}` : ''}\\s*=\\s*["']([^"']*)["']`),
      body: new RegExp(`<${qualified}Body[\\s/>]`),
      fault: new RegExp(`<${qualified}Fault[\\s/>]`),
    };
    // Bounded: a prefix is a name from the answer, and only a few are plausible.
    if (PATTERNS.size < 16) PATTERNS.set(prefix, patterns);
  }
  return patterns;
}

/**
 * What is wrong with an answer, or undefined when `soap` may read it: a SOAP 1.2 Fault (whatever
 * the status: `soap` turns it into an error the mapping reads), or exactly a success, which is
 * HTTP 200, the SOAP 1.2 media type, and a root `Envelope` in the SOAP 1.2 namespace with a `Body`.
 *
 * @example judgeAnswer(200, 'text/xml', '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>')
 *   // 'a SOAP 1.1 envelope'
 */
export function judgeAnswer(
  status: number,
  contentType: string | undefined,
  body: string,
): string | undefined {
  const root = ROOT.exec(body);
  if (root?.[2] !== 'Envelope') return 'a non-SOAP answer';
  const patterns = patternsFor(root[1] ?? '');
  const namespace = patterns.declaration.exec(root[3] ?? '')?.[1];
  if (namespace === NAMESPACES.soap11Envelope) return 'a SOAP 1.1 envelope';
  if (namespace !== SOAP12_ENVELOPE_NS) return 'an envelope in no SOAP namespace';
  if (!patterns.body.test(body)) return 'a SOAP envelope without Body';
  if (patterns.fault.test(body)) return undefined;
  if (status !== 200) return 'a SOAP envelope without a fault';
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== SOAP12_MEDIA_TYPE) {
    return `a SOAP 1.2 envelope as ${contentType?.split(';')[0] || 'no content type'}`;
  }
  return undefined;
}

function abortError(sent: boolean): Error {
  return Object.assign(new Error('aborted'), {
    name: 'AbortError',
    code: 'ABORT_ERR',
    requestSent: sent,
  });
}

function markSent(error: unknown, sent: boolean): unknown {
  return error instanceof Error ? Object.assign(error, { requestSent: sent }) : error;
}

/** Shaped like the HTTP errors the mapping reads (`response.status`, its headers), and carrying nothing else. */
function notSoap(status: number, headers: IncomingHttpHeaders, what: string): Error {
  return Object.assign(new Error(`HTTP ${status} with ${what}`), {
    code: 'ERR_NOT_SOAP',
    what,
    response: { status, headers },
  });
}
