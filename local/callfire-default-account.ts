/**
 * The account every sandbox starts with unless given another; each entry exists for a test case
 * (see the comments). Lease dates are xs:date (`YYYY-MM-DD`).
 */

import type { SandboxAccount, SandboxKeyword, SandboxNumber } from './callfire-sandbox-types';

const LEASE = { status: 'ACTIVE', leaseBegin: '2026-11-01', leaseEnd: '2026-12-01' } as const;

/** First number of the bulk block 13125550000..13125551999, for bulk releases and benchmarks. */
export const BULK_NUMBER_FIRST = 13125550000;
/** Size of the bulk block. */
export const BULK_NUMBER_COUNT = 2000;

function usNumber(number: string, overrides: Partial<SandboxNumber> = {}): SandboxNumber {
  const nationalFormat = `(${number.slice(1, 4)}) ${number.slice(4, 7)}-${number.slice(7)}`;
  return { number, nationalFormat, tollFree: false, ...LEASE, autoRenew: true, ...overrides };
}

function keyword(shortCode: string, word: string, autoRenew = true): SandboxKeyword {
  return { shortCode, keyword: word, ...LEASE, autoRenew };
}

/** A fresh deep copy of the default account on every call. */
export function defaultAccount(): SandboxAccount {
  const bulk = Array.from({ length: BULK_NUMBER_COUNT }, (_, at) => `${BULK_NUMBER_FIRST + at}`);
  const lapsed = { status: 'RELEASED', leaseBegin: '2026-09-01', leaseEnd: '2026-10-01' } as const;
  return {
    numbers: [
      usNumber('14255551212'),
      usNumber('14255551213'),
      // Auto-renew already off: releasing it again must succeed and change nothing.
      usNumber('14255551214', { autoRenew: false }),
      usNumber('18005550100', { tollFree: true }),
      // In use: an IVR answers it, or calls are forwarded (call tracking). Skipped with skipConfigured.
      usNumber('14255551215', { configuration: { callFeature: 'ENABLED', inbound: 'IVR' } }),
      usNumber('14255551216', {
        configuration: { callFeature: 'ENABLED', textFeature: 'ENABLED', inbound: 'TRACKING' },
      }),
      // Features on, but nothing answers inbound calls: not in use.
      usNumber('14255551217', {
        configuration: { callFeature: 'DISABLED', textFeature: 'ENABLED' },
      }),
      // Lapsed: still known to CallFire, nothing left to release.
      usNumber('14255559999', { ...lapsed, autoRenew: false }),
      ...bulk.map((number) => usNumber(number)),
    ],
    keywords: [
      keyword('67076', 'VANILLA'),
      // Auto-renew already off.
      keyword('67076', 'STRAWBERRY', false),
      // The same keyword on two short codes: releasing "CHOCOLATE" alone is ambiguous.
      keyword('67076', 'CHOCOLATE'),
      keyword('99000', 'CHOCOLATE'),
      // Mixed case: callers match case-insensitively but must send CallFire's spelling back.
      keyword('67076', 'MintChip'),
    ],
  };
}
