/**
 * The body of `POST /release-jobs`: items inline (`numbers`, `keywords`, as in a release request)
 * or an uploaded file (`source.key`), the release flags and an optional `jobId`. Pure.
 */
import { createHash } from 'node:crypto';
import { InvalidRequestError, type RequestIssue } from '../release/errors';
import { isPlainObject, optionalArray, optionalBoolean, unknownFields } from '../release/request';
import { JOB_ID_PATTERN, type JobFlags, type JobItem, UPLOADS_PREFIX } from './job-contract';
import { ItemCollector, type ItemList, keywordItem, numberItem } from './job-items';
import { formatOf, type UploadFormat } from './source-file';

/** Most items (numbers plus keywords, counted as given) a request may carry inline. */
export const MAX_INLINE_ITEMS = 5_000;
/** Bodies larger than this are refused before they are parsed (5,000 items take ~150 KB). */
export const MAX_JOB_BODY_BYTES = 1024 * 1024;

/** A checked job request; its items still to be validated (inline) or read (source). */
export interface JobRequest extends JobFlags {
  jobId?: string;
  inline?: { numbers: readonly unknown[]; keywords: readonly unknown[] };
  source?: { key: string; format: UploadFormat };
}

const FIELDS = new Set([
  'numbers',
  'keywords',
  'source',
  'confirmKeywordRelease',
  'dryRun',
  'skipConfigured',
  'jobId',
]);

/**
 * Checks the request's fields; the items are checked by {@link inlineItems} or read from the file.
 *
 * @throws InvalidRequestError listing every problem (413 for more than {@link MAX_INLINE_ITEMS} items)
 */
export function parseJobRequest(input: unknown): JobRequest {
  if (!isPlainObject(input)) {
    throw new InvalidRequestError([{ path: '', message: 'must be a JSON object' }]);
  }
  const issues: RequestIssue[] = unknownFields(input, FIELDS, '');
  const flag = (field: string) => optionalBoolean(input, field, issues) ?? false;
  const flags = {
    dryRun: flag('dryRun'),
    confirmKeywordRelease: flag('confirmKeywordRelease'),
    skipConfigured: flag('skipConfigured'),
  };
  const jobId = optionalJobId(input.jobId, issues);
  const numbers = optionalArray(input, 'numbers', issues);
  const keywords = optionalArray(input, 'keywords', issues);
  const source = optionalSource(input.source, issues);
  const inlineCount = numbers.length + keywords.length;
  if (source !== undefined && (input.numbers !== undefined || input.keywords !== undefined)) {
    issues.push({
      path: 'source',
      message: 'give either "source" or "numbers"/"keywords", not both',
    });
  } else if (source === undefined && input.source === undefined && inlineCount === 0) {
    issues.push({
      path: '',
      message: 'give items in "numbers" or "keywords", or a file in "source"',
    });
  }
  // The limit first, so a huge request is refused without looking at its items.
  if (inlineCount > MAX_INLINE_ITEMS) {
    const message = `at most ${MAX_INLINE_ITEMS} items inline (numbers plus keywords); got ${inlineCount}: upload a file and send "source" for more (up to 100000)`;
    throw new InvalidRequestError([{ path: '', message }], { tooLarge: true });
  }
  if (issues.length > 0) throw new InvalidRequestError(issues);
  return {
    ...flags,
    ...(jobId !== undefined && { jobId }),
    ...(source !== undefined ? { source } : { inline: { numbers, keywords } }),
  };
}

/** The inline items, validated and merged; problems pushed to `issues`. */
export function inlineItems(
  inline: NonNullable<JobRequest['inline']>,
  issues: RequestIssue[],
): ItemList {
  const collector = new ItemCollector();
  inline.numbers.forEach((value, index) => {
    collector.add(numberItem(value, `numbers[${index}]`, issues));
  });
  inline.keywords.forEach((value, index) => {
    collector.add(keywordItem(value, `keywords[${index}]`, issues));
  });
  return collector.result();
}

/**
 * The SHA-256 (hex) of the normalised request: its items, in order, and its flags. The same
 * request sent again (inline or as the same file) has the same digest; that is how a repeated
 * `jobId` is told from a reused one.
 */
export function requestDigest(items: JobItem[], flags: JobFlags): string {
  const { dryRun, confirmKeywordRelease, skipConfigured } = flags;
  const canonical = JSON.stringify({ items, dryRun, confirmKeywordRelease, skipConfigured });
  return createHash('sha256').update(canonical).digest('hex');
}

function optionalJobId(value: unknown, issues: RequestIssue[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && JOB_ID_PATTERN.test(value)) return value;
  issues.push({ path: 'jobId', message: 'must be 1 to 80 letters, digits, "_" or "-"' });
  return undefined;
}

function optionalSource(value: unknown, issues: RequestIssue[]): JobRequest['source'] {
  if (value === undefined) return undefined;
  const key = isPlainObject(value) ? value.key : undefined;
  if (!isPlainObject(value) || Object.keys(value).some((field) => field !== 'key')) {
    issues.push({ path: 'source', message: 'must be { "key": "uploads/<file>.csv" } (or .json)' });
    return undefined;
  }
  const format = typeof key === 'string' ? formatOf(key) : undefined;
  if (
    typeof key !== 'string' ||
    !key.startsWith(UPLOADS_PREFIX) ||
    key.length <= UPLOADS_PREFIX.length ||
    key.length > 1024 ||
    !/^[\x20-\x7e]+$/.test(key) ||
    format === undefined
  ) {
    issues.push({
      path: 'source.key',
      message: `must be the key of a .csv or .json file under ${UPLOADS_PREFIX} in the jobs bucket (printable ASCII, at most 1024 characters)`,
    });
    return undefined;
  }
  return { key, format };
}
