import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A fresh job id: `job-<yyyymmddHHMMss>-<8 random [a-z0-9]>`, the time in UTC, so ids sort by
 * when the jobs were started and two started in the same second still differ (36^8 ≈ 2.8e12).
 *
 * @example newJobId(new Date('2026-11-29T12:00:00Z')) // 'job-20261129120000-k3v9x0ab'
 */
export function newJobId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  let suffix = '';
  for (let index = 0; index < 8; index++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `job-${stamp}-${suffix}`;
}
