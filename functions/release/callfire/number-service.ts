import { createClientAsync, type IOptions } from 'soap';
import { toCallFireError } from './call-errors';
import {
  INBOUND_CALL_CONFIGURATION_TYPES,
  type InboundCallConfigurationType,
  NUMBER_FEATURES,
  type NumberFeature,
} from './contract';
import { NUMBER_SERVICE_WSDL } from './number-service-wsdl';
import { createSoapHttpClient, skipParsingEmptySuccess } from './soap-transport';

/** CallFire API login. */
export interface Credentials {
  username: string;
  password: string;
}

/** What CallFire says about a number's or keyword's lease. */
export interface Lease {
  status: string | null;
  /** `YYYY-MM-DD`, or null when CallFire gives none. */
  leaseEnd: string | null;
  autoRenew: boolean | null;
}

/**
 * What answers a number's calls and texts (CallFire's `NumberConfiguration`): a number with an
 * inbound IVR or call tracking is in use. `null` where CallFire gives nothing.
 */
export interface NumberConfiguration {
  callFeature: NumberFeature | null;
  textFeature: NumberFeature | null;
  inbound: InboundCallConfigurationType | null;
}

/** What GetNumber says about a number. */
export interface NumberInfo {
  lease: Lease;
  configuration: NumberConfiguration;
}

export interface AccountKeyword {
  shortCode: string;
  keyword: string;
  lease: Lease;
}

export interface KeywordPage {
  totalResults: number;
  keywords: AccountKeyword[];
}

/** Per-call inputs: whose credentials, and when to give up. */
export interface CallOptions {
  credentials: Credentials;
  signal: AbortSignal;
  /** Reported in the TIMEOUT message when `signal` fires. */
  timeoutMs: number;
}

/**
 * The port the release core talks to. Every method rejects only with a `CallFireError`.
 */
export interface NumberService {
  release(target: { number: string; keyword?: string }, call: CallOptions): Promise<void>;
  getNumber(number: string, call: CallOptions): Promise<NumberInfo>;
  queryKeywords(
    page: { firstResult: number; maxResults: number },
    call: CallOptions,
  ): Promise<KeywordPage>;
}

type SoapMethod = (
  args: object,
  options: object,
  extraHeaders: object,
) => Promise<[unknown, ...unknown[]]>;
interface NumberServiceSoapClient {
  ReleaseAsync: SoapMethod;
  GetNumberAsync: SoapMethod;
  QueryKeywordsAsync: SoapMethod;
}

/**
 * Builds the `soap` client once per container, from the project's WSDL (no network), and wraps its
 * `any`-typed methods in {@link NumberService}.
 *
 * Credentials go in a per-call Authorization header rather than `client.setSecurity()`: the
 * client is shared by concurrent calls, and a rotated password must not change the header of a
 * call already in flight.
 */
export async function createNumberService(endpoint: string): Promise<NumberService> {
  const client = (await createClientAsync(NUMBER_SERVICE_WSDL, {
    // Without this `soap` sends SOAP 1.1 even though the WSDL only has a SOAP 1.2 binding.
    forceSoap12Headers: true,
    endpoint,
    // One set of options per client: `soap` caches parsed WSDLs and leaks options between them.
    disableCache: true,
    // Our own HTTP client instead of soap's (axios, a URL parse and a body regex per call):
    // soap-transport.ts moves the bytes and judges the answer; soap builds and parses.
    // soap's IHttpClient type promises an axios answer its Client never reads (client.js _invoke).
    httpClient: createSoapHttpClient() as unknown as NonNullable<IOptions['httpClient']>,
  })) as unknown as NumberServiceSoapClient;
  skipParsingEmptySuccess(client);

  // Bound once, not per call.
  const soapRelease = client.ReleaseAsync.bind(client);
  const soapGetNumber = client.GetNumberAsync.bind(client);
  const soapQueryKeywords = client.QueryKeywordsAsync.bind(client);
  async function call(method: SoapMethod, args: object, options: CallOptions): Promise<unknown> {
    const { username, password } = options.credentials;
    const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    try {
      const [result] = await method(
        args,
        { signal: options.signal },
        { Authorization: authorization },
      );
      return result;
    } catch (error) {
      throw toCallFireError(error, {
        timeoutMs: options.timeoutMs,
        credentials: options.credentials,
      });
    }
  }

  return {
    async release(target, options) {
      // Keyword is omitted, not null: `soap` would send xsi:nil, which CallFire's schema rejects.
      const args =
        target.keyword === undefined
          ? { Number: target.number }
          : { Number: target.number, Keyword: target.keyword };
      await call(soapRelease, args, options);
    },
    async getNumber(number, options) {
      const result = (await call(soapGetNumber, { Number: number }, options)) as RawNumber | null;
      return {
        lease: toLease(result?.Status, result?.LeaseInfo),
        configuration: toConfiguration(result?.NumberConfiguration),
      };
    },
    async queryKeywords(page, options) {
      const result = (await call(
        soapQueryKeywords,
        { MaxResults: page.maxResults, FirstResult: page.firstResult },
        options,
      )) as RawKeywordQueryResult | null;
      const raw = result?.Keyword;
      const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      return {
        totalResults: Number(result?.TotalResults ?? 0),
        keywords: list.map((entry) => ({
          shortCode: String(entry.ShortCode ?? ''),
          keyword: String(entry.Keyword ?? ''),
          lease: toLease(entry.Status, entry.LeaseInfo),
        })),
      };
    },
  };
}

interface RawLeaseInfo {
  LeaseEnd?: unknown;
  AutoRenew?: unknown;
}
interface RawNumber {
  Status?: unknown;
  LeaseInfo?: RawLeaseInfo;
  NumberConfiguration?: {
    CallFeature?: unknown;
    TextFeature?: unknown;
    InboundCallConfigurationType?: unknown;
  };
}
interface RawKeyword {
  Status?: unknown;
  LeaseInfo?: RawLeaseInfo;
  ShortCode?: unknown;
  Keyword?: unknown;
}
interface RawKeywordQueryResult {
  TotalResults?: unknown;
  Keyword?: RawKeyword | RawKeyword[];
}

// `soap` converts xs:boolean and xs:date to JS types only for elements it can type from the top
// level; inside a referenced element (data:Keyword in KeywordQueryResult) it leaves strings.
function toLease(status: unknown, info: RawLeaseInfo | undefined): Lease {
  return {
    status: typeof status === 'string' ? status : null,
    leaseEnd: toDate(info?.LeaseEnd),
    autoRenew: info === undefined ? null : info.AutoRenew === true || info.AutoRenew === 'true',
  };
}

function toConfiguration(raw: RawNumber['NumberConfiguration']): NumberConfiguration {
  return {
    callFeature: oneOf(NUMBER_FEATURES, raw?.CallFeature),
    textFeature: oneOf(NUMBER_FEATURES, raw?.TextFeature),
    inbound: oneOf(INBOUND_CALL_CONFIGURATION_TYPES, raw?.InboundCallConfigurationType),
  };
}

function oneOf<T extends string>(values: readonly T[], value: unknown): T | null {
  return values.find((candidate) => candidate === value) ?? null;
}

function toDate(value: unknown): string | null {
  if (value instanceof Date && !Number.isNaN(value.getTime()))
    return value.toISOString().slice(0, 10);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return null;
}
