import { describe, expect, it } from 'vitest';
import { planHash, planItems } from '../../functions/release/plan';
import type { ItemResult } from '../../functions/release/result';

const lease = { status: 'ACTIVE', leaseEnd: '2026-12-31', autoRenew: true };
const configuration = { callFeature: 'ENABLED', textFeature: null, inbound: null } as const;
const RESULTS: ItemResult[] = [
  { kind: 'number', number: '14255551212', outcome: 'wouldRelease', lease, configuration },
  {
    kind: 'keyword',
    keyword: 'VANILLA',
    shortCode: '67076',
    outcome: 'alreadyReleased',
    lease: { ...lease, autoRenew: false },
  },
  { kind: 'number', number: '14255551213', outcome: 'skipped', reason: 'PROTECTED' },
  {
    kind: 'number',
    number: '14255550000',
    outcome: 'failed',
    error: { code: 'NOT_FOUND', message: 'not found', retryable: false },
  },
];

describe('planHash', () => {
  it('is 64 hex characters, the same for the same items in any order', () => {
    // Act
    const hash = planHash(RESULTS);

    // Assess
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(planHash([...RESULTS].reverse())).toBe(hash);
  });

  it.each<[string, (results: ItemResult[]) => void]>([
    [
      'an outcome',
      (results) => Object.assign(results[0] as object, { outcome: 'alreadyReleased' }),
    ],
    [
      'auto-renew',
      (results) => Object.assign(results[0] as object, { lease: { ...lease, autoRenew: false } }),
    ],
    [
      'a lease end',
      (results) =>
        Object.assign(results[0] as object, { lease: { ...lease, leaseEnd: '2027-01-31' } }),
    ],
    [
      'a status',
      (results) => Object.assign(results[0] as object, { lease: { ...lease, status: 'PENDING' } }),
    ],
    [
      'the configuration',
      (results) =>
        Object.assign(results[0] as object, {
          configuration: { ...configuration, inbound: 'TRACKING' },
        }),
    ],
    ['a skip reason', (results) => Object.assign(results[2] as object, { reason: 'CONFIGURED' })],
    [
      'an error code',
      (results) =>
        Object.assign(results[3] as object, {
          error: { code: 'UNAVAILABLE', message: '', retryable: true },
        }),
    ],
    ['the list of items', (results) => results.pop()],
  ])('changes when %s changes', (_case, change) => {
    // Prepare
    const changed = structuredClone(RESULTS);
    change(changed);

    // Act / Assess
    expect(planHash(changed)).not.toBe(planHash(RESULTS));
  });

  it('ignores messages, which may change wording without the state changing', () => {
    // Prepare
    const reworded = structuredClone(RESULTS);
    Object.assign(reworded[3] as object, {
      error: { code: 'NOT_FOUND', message: 'gone', retryable: false },
    });

    // Act / Assess
    expect(planHash(reworded)).toBe(planHash(RESULTS));
  });
});

describe('planItems', () => {
  it('lists each item with the state that decided it, keywords as SHORTCODE/KEYWORD, in canonical order', () => {
    // Act
    const items = planItems(RESULTS);

    // Assess
    expect(items.map((item) => `${item.kind}:${item.item}`)).toEqual([
      'keyword:67076/VANILLA',
      'number:14255550000',
      'number:14255551212',
      'number:14255551213',
    ]);
    expect(items[2]).toEqual({
      kind: 'number',
      item: '14255551212',
      outcome: 'wouldRelease',
      reason: null,
      status: 'ACTIVE',
      autoRenew: true,
      leaseEnd: '2026-12-31',
      callFeature: 'ENABLED',
      textFeature: null,
      inbound: null,
      errorCode: null,
    });
  });
});
