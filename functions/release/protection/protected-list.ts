import { ConfigurationError } from '../errors';
import { normalizeNumber } from '../request';

/**
 * What must never be released: numbers (normalised), keywords on every short code, and keywords
 * on one short code. Keywords are compared case-insensitively, as the release matches them.
 */
export interface ProtectedList {
  readonly numbers: ReadonlySet<string>;
  /** Upper-cased keywords protected on every short code. */
  readonly keywords: ReadonlySet<string>;
  /** `SHORTCODE/KEYWORD`, keyword upper-cased. */
  readonly keywordsOn: ReadonlySet<string>;
}

export const NO_PROTECTED_ITEMS: ProtectedList = {
  numbers: new Set(),
  keywords: new Set(),
  keywordsOn: new Set(),
};

const KEYWORD = /^[A-Za-z0-9_]{1,64}$/;
const SHORT_CODE = /^[0-9]{3,15}$/;

/**
 * Parses the protected-items list: one entry per line, `#` starts a comment, blank lines are
 * ignored. An entry is a phone number in any form a request accepts, a keyword (`VANILLA`: on
 * every short code) or `SHORTCODE/KEYWORD` (`67076/VANILLA`: on that short code only).
 *
 * @example parseProtectedList('# ours\n+1 (425) 555-1213\n67076/VANILLA', 'p').numbers // Set { '14255551213' }
 * @throws ConfigurationError naming the source and the line of the first entry that is none of these
 */
export function parseProtectedList(text: string, source: string): ProtectedList {
  const numbers = new Set<string>();
  const keywords = new Set<string>();
  const keywordsOn = new Set<string>();
  text.split(/\r?\n/).forEach((line, index) => {
    const entry = line.replace(/#.*$/, '').trim();
    if (entry === '') return;
    const [shortCode, keyword] = entry.split('/');
    if (
      keyword !== undefined &&
      shortCode !== undefined &&
      SHORT_CODE.test(shortCode) &&
      KEYWORD.test(keyword)
    ) {
      keywordsOn.add(`${shortCode}/${keyword.toUpperCase()}`);
      return;
    }
    const number = /[0-9]/.test(entry) ? normalizeNumber(entry) : undefined;
    if (number !== undefined) numbers.add(number);
    else if (KEYWORD.test(entry)) keywords.add(entry.toUpperCase());
    else {
      throw new ConfigurationError(
        `Protected items ${source}, line ${index + 1}: "${entry.slice(0, 40)}" is not a phone number, KEYWORD or SHORTCODE/KEYWORD; nothing is released until it is fixed`,
      );
    }
  });
  return { numbers, keywords, keywordsOn };
}

/** Whether a number is protected. */
export function isProtectedNumber(list: ProtectedList, number: string): boolean {
  return list.numbers.has(number);
}

/**
 * Whether a keyword is protected: on every short code, or on the one given. Without a short code
 * only the every-short-code entries can answer yes; the release core asks again once it knows it.
 */
export function isProtectedKeyword(
  list: ProtectedList,
  keyword: string,
  shortCode?: string,
): boolean {
  const upper = keyword.toUpperCase();
  return (
    list.keywords.has(upper) ||
    (shortCode !== undefined && list.keywordsOn.has(`${shortCode}/${upper}`))
  );
}
