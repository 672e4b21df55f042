/**
 * plan.json: the requests a `plan` made, each with its items and its plan hash, so that
 * `release --plan-file` sends exactly those requests. Items are written as jobs take them:
 * `{ "number" }` or `{ "keyword", "shortCode"? }`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { RequestIssue } from '../functions/release/errors';
import { normalizeNumber, parseKeyword } from '../functions/release/request';
import type { Chunk } from './chunks';
import { listAtMost, usageError } from './errors';
import { type Item, itemKey } from './input';

/** What plan.json holds. */
export interface PlanFile {
  /** The plan was made with `skipConfigured`: the release must say the same. */
  skipConfigured: boolean;
  requests: Array<{ planHash: string; items: PlanItem[] }>;
}

type PlanItem = { number: string } | { keyword: string; shortCode?: string };

const HASH = /^[0-9a-f]{64}$/;

/** The plan of `chunks` with their hashes, in order. */
export function planFile(
  chunks: readonly Chunk[],
  hashes: readonly string[],
  skipConfigured: boolean,
): PlanFile {
  return {
    skipConfigured,
    requests: chunks.map((chunk, index) => ({
      planHash: hashes[index] ?? '',
      items: chunk.items.map((item) =>
        item.kind === 'number'
          ? { number: item.number }
          : { keyword: item.keyword, ...(item.shortCode && { shortCode: item.shortCode }) },
      ),
    })),
  };
}

/** Writes `plan` to `path`. @throws CliError (exit 2) when it cannot */
export function writePlanFile(path: string, plan: PlanFile): void {
  try {
    // One request a line: readable, and a diff of two plans shows which request changed.
    const requests = plan.requests.map((request) => `    ${JSON.stringify(request)}`);
    const text = `{\n  "skipConfigured": ${plan.skipConfigured},\n  "requests": [\n${requests.join(',\n')}\n  ]\n}\n`;
    writeFileSync(path, text);
  } catch (error) {
    throw usageError(`cannot write ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
}

/**
 * Reads plan.json: its chunks (as `plan` cut them) and their hashes.
 *
 * @throws CliError (exit 2) when it cannot be read or is not a plan the tool wrote
 */
export function readPlanFile(path: string): {
  chunks: Chunk[];
  hashes: string[];
  skipConfigured: boolean;
} {
  let plan: Partial<PlanFile>;
  try {
    plan = JSON.parse(readFileSync(path, 'utf8')) as Partial<PlanFile>;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'not JSON';
    throw usageError(`--plan-file: cannot read ${path} (${reason})`);
  }
  const issues: string[] = [];
  const requests = Array.isArray(plan?.requests) ? plan.requests : [];
  if (requests.length === 0) issues.push('no "requests"');
  const chunks: Chunk[] = [];
  const hashes: string[] = [];
  let first = 1;
  requests.forEach((request, index) => {
    const where = `requests[${index}]`;
    if (typeof request?.planHash !== 'string' || !HASH.test(request.planHash)) {
      issues.push(`${where}.planHash: must be the 64 hex characters of a dry run's plan.hash`);
    }
    const items = Array.isArray(request?.items) ? request.items : [];
    if (items.length === 0 || items.length > 100) issues.push(`${where}.items: 1 to 100 items`);
    const parsed = items.map((item, at) => planItem(item, `${where}.items[${at}]`, issues));
    chunks.push({ index, first, items: parsed.filter((item): item is Item => item !== undefined) });
    hashes.push(request?.planHash ?? '');
    first += items.length;
  });
  if (issues.length > 0) {
    throw usageError(
      `--plan-file: ${path} is not a plan made by \`plan --out-plan\`:\n${listAtMost(issues)}`,
    );
  }
  return { chunks, hashes, skipConfigured: plan.skipConfigured === true };
}

function planItem(value: unknown, where: string, issues: string[]): Item | undefined {
  const { number, keyword, shortCode } = (value ?? {}) as Record<string, unknown>;
  if (typeof number === 'string' && keyword === undefined) {
    if (normalizeNumber(number) === number) return { kind: 'number', number };
    issues.push(`${where}.number: not a normalised number`);
    return undefined;
  }
  const problems: RequestIssue[] = [];
  const target = parseKeyword(
    shortCode === undefined ? { keyword } : { keyword, shortCode },
    where,
    problems,
  );
  issues.push(...problems.map(({ path, message }) => `${path}: ${message}`));
  return target ? { kind: 'keyword', ...target } : undefined;
}

/** Whether `items` are the plan's, in the plan's order (then they chunk alike). */
export function sameItems(items: readonly Item[], chunks: readonly Chunk[]): boolean {
  const planned = chunks.flatMap((chunk) => chunk.items);
  return (
    items.length === planned.length &&
    items.every((item, at) => itemKey(item) === itemKey(planned[at] as Item))
  );
}
