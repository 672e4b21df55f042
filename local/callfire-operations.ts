/**
 * The NumberService operations the sandbox serves, one entry each: the request element's
 * xs:sequence (which the generic reader checks) and what the operation does to the account and
 * answers. Serving another operation of contract.ts's `OPERATIONS` means adding its entry here.
 */

import type { Operation } from '../functions/release/callfire/contract';
import { MAX_PAGE_SIZE, NAMESPACES as NS } from '../functions/release/callfire/contract';
import type { CallFireSandbox } from './callfire-sandbox';
import type { SandboxLease, SandboxNumber } from './callfire-sandbox-types';
import type { HttpAnswer, Sequence } from './callfire-soap';
import { serviceFault, soapAnswer, xmlFields } from './callfire-soap';

/** The request's values by element name, as the reader has checked them against the sequence. */
type ValuesOf<S extends Sequence> = {
  [Key in keyof S as Key extends `${infer Name}?` ? Name : Key]: Key extends `${string}?`
    ? string | undefined
    : string;
};

interface OperationEntry<S extends Sequence> {
  request: S;
  perform(values: ValuesOf<S>, sandbox: CallFireSandbox): HttpAnswer;
}

/** Types `perform`'s values after the declared sequence. */
function operation<const S extends Sequence>(entry: OperationEntry<S>): OperationEntry<Sequence> {
  return entry as unknown as OperationEntry<Sequence>;
}

/** Every operation of the contract, and only those: `satisfies` fails on a missing or extra one. */
export const OPERATION_TABLE = {
  Release: operation({
    request: { Number: 'PhoneNumber', 'Keyword?': 'string' },
    perform({ Number: number, Keyword: keyword }, sandbox) {
      // Exact spelling, as CallFire matches keywords: callers send the account's own spelling back.
      const leases: SandboxLease[] =
        keyword === undefined
          ? [sandbox.findNumber(number)].filter((found) => found !== undefined)
          : sandbox.account.keywords.filter((k) => k.shortCode === number && k.keyword === keyword);
      if (leases.length === 0) {
        const what = keyword === undefined ? number : `${keyword} on short code ${number}`;
        return serviceFault('NOT_FOUND', `${what} not found in this account`);
      }
      for (const lease of leases) lease.autoRenew = false;
      return soapAnswer('');
    },
  }),
  GetNumber: operation({
    request: { Number: 'PhoneNumber' },
    perform({ Number: number }, sandbox) {
      const found = sandbox.findNumber(number);
      if (!found) return serviceFault('NOT_FOUND', `${number} not found in this account`);
      const { nationalFormat: NationalFormat, tollFree: TollFree } = found;
      const fields = xmlFields('data', { Number: number, NationalFormat, TollFree }) + lease(found);
      const configured = configuration(found.configuration);
      return soapAnswer(
        `<data:Number xmlns:data="${NS.data}">${fields}${configured}</data:Number>`,
      );
    },
  }),
  QueryKeywords: operation({
    request: { 'MaxResults?': 'long', 'FirstResult?': 'long' },
    perform({ MaxResults, FirstResult }, sandbox) {
      const first = sandbox.ignoreFirstResult ? 0 : Number(FirstResult ?? 0);
      const size = Math.min(Number(MaxResults ?? MAX_PAGE_SIZE), sandbox.maxPageSize);
      const { keywords } = sandbox.account;
      const page = keywords.slice(first, first + size).map((entry) => {
        const fields = xmlFields('data', { ShortCode: entry.shortCode, Keyword: entry.keyword });
        return `<data:Keyword>${fields}${lease(entry)}</data:Keyword>`;
      });
      const content = xmlFields('svc', { TotalResults: keywords.length }) + page.join('');
      const result = `svc:KeywordQueryResult xmlns:svc="${NS.service}" xmlns:data="${NS.data}"`;
      return soapAnswer(`<${result}>${content}</svc:KeywordQueryResult>`);
    },
  }),
} satisfies Record<Operation, OperationEntry<Sequence>>;

/** Each operation's request sequence, for the reader. */
export const REQUEST_SCHEMAS = Object.fromEntries(
  Object.entries(OPERATION_TABLE).map(([name, entry]) => [name, entry.request]),
) as Record<Operation, Sequence>;

/** `data:NumberConfiguration`, in its sequence order; nothing for a bare number. */
function configuration(configured: SandboxNumber['configuration']): string {
  if (!configured) return '';
  const { callFeature, textFeature, inbound } = configured;
  const fields = {
    CallFeature: callFeature,
    TextFeature: textFeature,
    InboundCallConfigurationType: inbound,
  };
  return `<data:NumberConfiguration>${xmlFields('data', fields)}</data:NumberConfiguration>`;
}

/** `data:Status` then `data:LeaseInfo`; absent dates are left out (both are minOccurs="0"). */
function lease({ status, leaseBegin, leaseEnd, autoRenew }: SandboxLease): string {
  const dates = { LeaseBegin: leaseBegin, LeaseEnd: leaseEnd };
  const info = xmlFields('data', { ...dates, AutoRenew: autoRenew });
  return `${xmlFields('data', { Status: status })}<data:LeaseInfo>${info}</data:LeaseInfo>`;
}
