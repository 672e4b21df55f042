import { InvalidRequestError, RequestExpiredError, type RequestIssue } from './errors';

/** Most items (numbers plus keywords, counted as given) one request may carry. */
export const MAX_ITEMS = 100;

/** A keyword to release; without `shortCode` it is resolved against the account. */
export interface KeywordTarget {
  keyword: string;
  shortCode?: string;
}

/** A validated request: numbers normalised to CallFire's digits-only form, duplicates merged. */
export interface ReleaseRequest {
  numbers: string[];
  keywords: KeywordTarget[];
  dryRun: boolean;
  /** Numbers in use (an inbound IVR or call tracking) are skipped, not released. */
  skipConfigured: boolean;
  /** Release exactly what the dry run with this hash saw, or nothing. */
  planHash?: string;
  /** RFC 3339: past it, nothing is released. */
  notAfter?: string;
}

const ALLOWED_FIELDS = new Set([
  'numbers',
  'keywords',
  'confirmKeywordRelease',
  'dryRun',
  'skipConfigured',
  'planHash',
  'notAfter',
]);
const PLAN_HASH_PATTERN = /^[0-9a-f]{64}$/i;
// RFC 3339 date-time: a full date, a time with seconds, and an explicit offset.
const RFC3339_PATTERN = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const KEYWORD_FIELDS = new Set(['keyword', 'shortCode']);
// Letters, digits and underscore only: `soap` passes CDATA markers and control characters
// through unescaped, so nothing else may reach the envelope.
const KEYWORD_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
const SHORT_CODE_PATTERN = /^[0-9]{3,15}$/;
// The separators people write between digit groups: the plain space (U+0020, not any white space:
// a tab, a line break, a no-break space or a BOM inside a number is a copy-paste accident to
// report, not to guess around), dash, dot and parentheses.
const NUMBER_SEPARATORS = /[ \-.()]/g;

/**
 * Normalises a phone number to CallFire's digits-only E.164 form.
 *
 * A leading `+` says the digits after it already carry their country code; only a number written
 * without one gets the North American reading (10 digits: a leading `1`).
 *
 * @example normalizeNumber('+1 (425) 555-1213') // '14255551213'
 * @example normalizeNumber('(425) 555-1213') // '14255551213'
 * @example normalizeNumber('+65 9123 4567') // undefined: 10 digits with their country code
 * @returns the digits, or undefined when the value is not a phone number
 */
export function normalizeNumber(value: string): string | undefined {
  let digits = value.replace(NUMBER_SEPARATORS, '');
  const international = digits.startsWith('+');
  if (international) digits = digits.slice(1);
  if (!/^[0-9]+$/.test(digits)) return undefined;
  if (!international && digits.length === 10) digits = `1${digits}`;
  return digits.length >= 11 && digits.length <= 15 ? digits : undefined;
}

/**
 * Validates a release request from any trigger and normalises it.
 *
 * @example parseReleaseRequest({ numbers: ['+1 425 555 1212'] }) // { numbers: ['14255551212'], keywords: [], dryRun: false }
 * @throws InvalidRequestError listing every problem found (with `tooLarge` for the item limit)
 * @throws RequestExpiredError when the request is valid but past its `notAfter`
 */
export function parseReleaseRequest(input: unknown, now: number = Date.now()): ReleaseRequest {
  if (!isPlainObject(input)) {
    throw new InvalidRequestError([{ path: '', message: 'must be a JSON object' }]);
  }
  const issues: RequestIssue[] = unknownFields(input, ALLOWED_FIELDS, '');
  const numbersInput = optionalArray(input, 'numbers', issues);
  const keywordsInput = optionalArray(input, 'keywords', issues);
  const dryRun = optionalBoolean(input, 'dryRun', issues) ?? false;
  const confirmed = optionalBoolean(input, 'confirmKeywordRelease', issues) ?? false;
  const skipConfigured = optionalBoolean(input, 'skipConfigured', issues) ?? false;
  const planHash = optionalPlanHash(input, dryRun, issues);
  const notAfter = optionalTime(input, 'notAfter', issues);
  const itemCount = numbersInput.length + keywordsInput.length;
  // The limit is checked before the items so a huge request is refused without looking at them.
  if (itemCount > MAX_ITEMS) {
    const message = `at most ${MAX_ITEMS} items per request (numbers plus keywords); got ${itemCount}`;
    throw new InvalidRequestError([{ path: '', message }], { tooLarge: true });
  }
  const numbers = parseNumbers(numbersInput, issues);
  const keywords = parseKeywords(keywordsInput, issues);
  if (itemCount === 0) {
    issues.push({ path: '', message: 'give at least one item in "numbers" or "keywords"' });
  }
  // A released keyword cannot be bought back for a month: demand an explicit yes.
  if (keywordsInput.length > 0 && !dryRun && !confirmed) {
    issues.push({
      path: 'confirmKeywordRelease',
      message:
        'must be true to release keywords: a released keyword cannot be repurchased for one month (use "dryRun": true to preview)',
    });
  }
  if (issues.length > 0) throw new InvalidRequestError(issues);
  if (notAfter !== undefined && Date.parse(notAfter) < now) {
    throw new RequestExpiredError(
      `The request expired at ${notAfter} (notAfter): nothing was released; send a fresh request if it still holds`,
    );
  }
  const optional = { ...(planHash && { planHash }), ...(notAfter && { notAfter }) };
  return { numbers, keywords, dryRun, skipConfigured, ...optional };
}

/** An issue for each field of `input` not in `allowed`, under `prefix` (the field name clipped). */
export function unknownFields(
  input: Record<string, unknown>,
  allowed: Set<string>,
  prefix: string,
): RequestIssue[] {
  return Object.keys(input)
    .filter((field) => !allowed.has(field))
    .map((field) => ({
      path: `${prefix}${truncate(field)}`,
      message: `unknown field; allowed: ${[...allowed].join(', ')}`,
    }));
}

/** Normalised numbers, duplicates merged in order of first appearance. */
function parseNumbers(values: readonly unknown[], issues: RequestIssue[]): string[] {
  const numbers = new Set<string>();
  values.forEach((value, index) => {
    const number = parseNumber(value, `numbers[${index}]`, issues);
    if (number !== undefined) numbers.add(number);
  });
  return [...numbers];
}

/**
 * One number entry: a string in any form {@link normalizeNumber} reads. Problems are pushed to
 * `issues` under `path`.
 *
 * @returns the normalised number, or undefined when the entry is invalid
 */
export function parseNumber(
  value: unknown,
  path: string,
  issues: RequestIssue[],
): string | undefined {
  if (typeof value !== 'string') {
    issues.push({ path, message: 'must be a string such as "14255551212"' });
    return undefined;
  }
  const normalized = normalizeNumber(value);
  if (normalized === undefined) issues.push({ path, message: numberProblem(value) });
  return normalized;
}

/** Keyword targets, merged case-insensitively per short code. */
function parseKeywords(values: readonly unknown[], issues: RequestIssue[]): KeywordTarget[] {
  const keywords = new Map<string, KeywordTarget>();
  values.forEach((value, index) => {
    const target = parseKeyword(value, `keywords[${index}]`, issues);
    if (target) keywords.set(targetKey(target), target);
  });
  return [...keywords.values()];
}

/**
 * Which requested keywords are one item: the same letters in any case, on the same short code
 * (none given is its own case, resolved against the account).
 */
export function targetKey(target: KeywordTarget): string {
  return `${target.keyword.toUpperCase()}@${target.shortCode ?? ''}`;
}

/** Why a string is not a phone number, in words that echo it safely (for `path: message` issues). */
export function numberProblem(value: string): string {
  const shown = `"${truncate(value)}" is not a phone number`;
  if (/[^\x20-\x7e]/.test(value)) {
    return `${shown}: it holds an invisible or non-ASCII character (a tab, line break, no-break space…)`;
  }
  return `${shown}: expected 10 digits (North America), or 11 to 15 digits with the country code (a leading + means the country code is there)`;
}

/**
 * One keyword entry: a string, or `{ "keyword", "shortCode"? }` with no other field. Problems are
 * pushed to `issues` under `path`.
 *
 * @example parseKeyword({ keyword: 'VANILLA', shortCode: '67076' }, 'keywords[0]', issues) // { keyword: 'VANILLA', shortCode: '67076' }
 * @returns the target, or undefined when the entry is invalid
 */
export function parseKeyword(
  value: unknown,
  path: string,
  issues: RequestIssue[],
): KeywordTarget | undefined {
  if (typeof value === 'string') {
    return validKeyword(value, path, issues) ? { keyword: value } : undefined;
  }
  if (!isPlainObject(value)) {
    issues.push({ path, message: 'must be a keyword string or { "keyword", "shortCode" }' });
    return undefined;
  }
  const unknown = unknownFields(value, KEYWORD_FIELDS, `${path}.`);
  issues.push(...unknown);
  let valid = unknown.length === 0;
  const { keyword, shortCode } = value;
  if (typeof keyword !== 'string') {
    issues.push({ path: `${path}.keyword`, message: 'is required and must be a string' });
    valid = false;
  } else if (!validKeyword(keyword, `${path}.keyword`, issues)) {
    valid = false;
  }
  if (
    shortCode !== undefined &&
    (typeof shortCode !== 'string' || !SHORT_CODE_PATTERN.test(shortCode))
  ) {
    issues.push({
      path: `${path}.shortCode`,
      message: 'must be a string of 3 to 15 digits, such as "67076"',
    });
    valid = false;
  }
  if (!valid || typeof keyword !== 'string') return undefined;
  return typeof shortCode === 'string' ? { keyword, shortCode } : { keyword };
}

function validKeyword(value: string, path: string, issues: RequestIssue[]): boolean {
  if (KEYWORD_PATTERN.test(value)) return true;
  issues.push({
    path,
    message: `"${truncate(value)}" is not a keyword: 1 to 64 letters, digits or underscores`,
  });
  return false;
}

/** The array at `field`, none when it is absent; anything else is an issue. */
export function optionalArray(
  input: Record<string, unknown>,
  field: string,
  issues: RequestIssue[],
): readonly unknown[] {
  const value = input[field];
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  issues.push({ path: field, message: 'must be an array' });
  return [];
}

/** The boolean at `field`, undefined when it is absent; anything else is an issue. */
export function optionalBoolean(
  input: Record<string, unknown>,
  field: string,
  issues: RequestIssue[],
): boolean | undefined {
  const value = input[field];
  if (value === undefined || typeof value === 'boolean') return value;
  issues.push({ path: field, message: 'must be true or false' });
  return undefined;
}

function optionalPlanHash(
  input: Record<string, unknown>,
  dryRun: boolean,
  issues: RequestIssue[],
): string | undefined {
  const value = input.planHash;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !PLAN_HASH_PATTERN.test(value)) {
    issues.push({
      path: 'planHash',
      message: "must be the 64 hex characters of a dry run's plan.hash",
    });
    return undefined;
  }
  if (dryRun) {
    issues.push({
      path: 'planHash',
      message: 'applies to a release, not to a dry run (which makes the plan)',
    });
  }
  return value.toLowerCase();
}

function optionalTime(
  input: Record<string, unknown>,
  field: string,
  issues: RequestIssue[],
): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    !RFC3339_PATTERN.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    issues.push({
      path: field,
      message: 'must be an RFC 3339 time with an offset, such as "2026-12-24T09:00:00Z"',
    });
    return undefined;
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps echoed input short and printable: an error message must stay readable whatever was sent. */
function truncate(value: string, length = 40): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > length ? `${printable.slice(0, length)}…` : printable;
}
