import { MAX_PAGE_SIZE } from './callfire/contract';
import type { AccountKeyword } from './callfire/number-service';
import type { CallFireCaller } from './callfire-caller';
import { CallFireError } from './errors';
import type { KeywordTarget } from './request';
import type { CallResult } from './retry';

/** A requested keyword matched to the account's, or why it could not be. */
export type Resolution =
  | { ok: true; keyword: AccountKeyword }
  | { ok: false; error: CallFireError };

/** Stops a misbehaving server from paging forever (100,000 keywords is far beyond any account). */
const MAX_KEYWORD_PAGES = 100;

/**
 * Matches a requested keyword to the account's, case-insensitively, on its pinned short code if it
 * has one. Every keyword goes through the account's list, pinned or not: CallFire matches the
 * spelling exactly, so the release must send the account's spelling back.
 *
 * @example matchKeyword([{ shortCode: '67076', keyword: 'MintChip', lease }], { keyword: 'MINTCHIP' })
 *   // { ok: true, keyword: { shortCode: '67076', keyword: 'MintChip', lease } }
 */
export function matchKeyword(
  listing: readonly AccountKeyword[],
  target: KeywordTarget,
): Resolution {
  const wanted = target.keyword.toUpperCase();
  const matches = listing.filter(
    (entry) =>
      entry.keyword.toUpperCase() === wanted &&
      (!target.shortCode || entry.shortCode === target.shortCode),
  );
  const [match] = matches;
  if (matches.length === 1 && match) return { ok: true, keyword: match };
  if (matches.length === 0) {
    const where = target.shortCode ? ` on short code ${target.shortCode}` : '';
    return {
      ok: false,
      error: new CallFireError(
        'NOT_FOUND',
        `Keyword ${target.keyword} is not on the account${where}`,
        false,
      ),
    };
  }
  const shortCodes = matches.map((entry) => entry.shortCode).join(', ');
  return {
    ok: false,
    error: new CallFireError(
      'AMBIGUOUS_KEYWORD',
      `Keyword ${target.keyword} is on short codes ${shortCodes}: give "shortCode" to choose one`,
      false,
    ),
  };
}

/**
 * Reads every page of the account's keywords (`QueryKeywords`, CallFire's largest page size).
 * An entry listed twice (pages that overlap while the account changes) counts once. A server that
 * ignores `FirstResult` and sends a page it already sent stops the paging at once: it would never
 * reach the end.
 */
export async function listAccountKeywords(
  caller: CallFireCaller,
): Promise<CallResult<AccountKeyword[]>> {
  const keywords = new Map<string, AccountKeyword>();
  let received = 0;
  let attempts = 0;
  for (let page = 0; page < MAX_KEYWORD_PAGES; page++) {
    const result = await caller.call('QueryKeywords', (service, credentials, attempt) =>
      service.queryKeywords(
        { firstResult: received, maxResults: MAX_PAGE_SIZE },
        { credentials, ...attempt },
      ),
    );
    attempts += result.attempts;
    if (!result.ok) return { ...result, attempts };
    const before = keywords.size;
    for (const entry of result.value.keywords) keywords.set(keywordKey(entry), entry);
    const { length } = result.value.keywords;
    if (length > 0 && keywords.size === before) {
      return { ok: false, error: repeatedPage(received), attempts };
    }
    received += length;
    if (length === 0 || received >= result.value.totalResults) break;
  }
  return { ok: true, value: [...keywords.values()], attempts };
}

/** One account keyword's identity: its short code and CallFire's spelling. */
export function keywordKey(entry: { shortCode: string; keyword: string }): string {
  return `${entry.shortCode}/${entry.keyword}`;
}

function repeatedPage(firstResult: number): CallFireError {
  return new CallFireError(
    'UPSTREAM_INVALID',
    `CallFire's QueryKeywords answered FirstResult ${firstResult} with keywords it had already listed: paging stopped (the server ignores FirstResult)`,
    false,
  );
}
