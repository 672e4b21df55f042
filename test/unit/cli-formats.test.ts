/**
 * The command line's pure parts: reading items (CSV with or without a header, plain lines), the
 * results CSV (RFC 4180 quoting, read back for --resume), chunking, Retry-After, wall times in a
 * time zone.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { chunkItems, releaseRequest } from '../../cli/chunks';
import { CliError } from '../../cli/errors';
import { parseRetryAfter } from '../../cli/http-client';
import { itemsFromText } from '../../cli/input';
import { readDoneItems, toCsv } from '../../cli/results-csv';
import { instantOf, wallTime } from '../../cli/zoned-time';
import { scratchDir } from '../helpers/cli';

function failure(run: () => unknown): CliError {
  try {
    run();
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected a CliError');
}

describe('CLI input', () => {
  it('reads a header row by its names, in any order and case, ignoring other columns', () => {
    const text =
      'outcome,ShortCode,Keyword,number\nreleased,,,(425) 555-1212\nfailed,67076,Vanilla,\nx,,MintChip,\n';

    const { items } = itemsFromText(text, 'results.csv');

    expect(items).toEqual([
      { kind: 'number', number: '14255551212' },
      { kind: 'keyword', keyword: 'Vanilla', shortCode: '67076' },
      { kind: 'keyword', keyword: 'MintChip' },
    ]);
  });

  it('reads plain lines as numbers, skipping blank lines and # comments, and merges duplicates', () => {
    const text = '\ufeff# retired\n14255551212\n\n+1 425 555 1212   # again\n425.555.1213\r\n';

    const read = itemsFromText(text, 'numbers.txt');

    expect(read.items).toEqual([
      { kind: 'number', number: '14255551212' },
      { kind: 'number', number: '14255551213' },
    ]);
    expect(read.duplicates).toBe(1);
  });

  it.each([
    ['14255551212\n14255551213,VANILLA\n', 'line 2: more than one column and no header row'],
    ['number,keyword\n14255551212,VANILLA\n', 'line 2: a number and a keyword on one row'],
    ['keyword,shortCode\nVAN ILLA,\n', 'line 2: "VAN ILLA" is not a keyword'],
    ['keyword,shortCode\nVANILLA,12\n', 'line 2, shortCode: must be a string of 3 to 15 digits'],
    ['shortCode,number\n67076,14255551212\n', 'a shortCode column needs a keyword column'],
    ['14255551212\n"unclosed\n', 'not a readable CSV file'],
    ['# only a comment\n', 'no numbers or keywords'],
    ['14255551212\n"+1 425\n555 1213"\n', 'line 2: "+1 425?555 1213" is not a phone number'],
  ])('refuses %j with exit 2: %s', (text, message) => {
    const error = failure(() => itemsFromText(text, 'in.csv'));

    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(message);
  });
});

describe('CLI chunks', () => {
  it('cuts 250 items into 100, 100, 50 in input order, numbers and keywords in one request', () => {
    const items = itemsFromText(
      `number,keyword\n${Array.from({ length: 249 }, (_, at) => `${13125550000 + at},`).join('\n')}\n,VANILLA\n`,
      'in.csv',
    ).items;

    const chunks = chunkItems(items);

    expect(chunks.map((chunk) => [chunk.first, chunk.items.length])).toEqual([
      [1, 100],
      [101, 100],
      [201, 50],
    ]);
    expect(
      releaseRequest(chunks[2]?.items ?? [], { dryRun: true, confirmKeywordRelease: false }),
    ).toMatchObject({
      keywords: ['VANILLA'],
      dryRun: true,
    });
  });
});

describe('CLI results CSV', () => {
  it('quotes commas, quotes and line breaks (RFC 4180, CRLF), and reads back what is done', () => {
    const csv = toCsv([
      { kind: 'number', number: '14255551212', outcome: 'released' },
      {
        kind: 'number',
        number: '14255551213',
        outcome: 'failed',
        errorCode: 'UPSTREAM_HTTP',
        errorMessage: 'HTTP 502, "bad"\nproxy',
        retryable: true,
      },
      {
        kind: 'keyword',
        keyword: 'VANILLA',
        shortCode: '67076',
        outcome: 'skipped',
        reason: 'PROTECTED',
      },
    ]);
    const file = path.join(scratchDir(), 'results.csv');
    writeFileSync(file, csv);

    const done = readDoneItems(file);

    expect(csv).toBe(
      'kind,number,keyword,shortCode,outcome,reason,errorCode,errorMessage,retryable\r\n' +
        'number,14255551212,,,released,,,,\r\n' +
        'number,14255551213,,,failed,,UPSTREAM_HTTP,"HTTP 502, ""bad""\nproxy",true\r\n' +
        'keyword,,VANILLA,67076,skipped,PROTECTED,,,\r\n',
    );
    expect((parse(csv, { columns: true }) as Array<Record<string, string>>)[1]?.errorMessage).toBe(
      'HTTP 502, "bad"\nproxy',
    );
    expect(done.rowsFor({ kind: 'number', number: '14255551212' })).toHaveLength(1);
    expect(done.rowsFor({ kind: 'number', number: '14255551213' })).toEqual([]);
    expect(done.rowsFor({ kind: 'keyword', keyword: 'vanilla' })).toHaveLength(1);
    expect(done.rowsFor({ kind: 'keyword', keyword: 'VANILLA', shortCode: '99000' })).toEqual([]);
  });
});

describe('CLI times', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-01T09:00:00Z');

    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 08:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('turns a wall time in a time zone into its instant, daylight saving time included', () => {
    expect(wallTime('2026-12-24T09:00')).toBe('2026-12-24T09:00:00');
    expect(wallTime('2026-02-29T09:00')).toBeUndefined();
    expect(instantOf('2026-12-24T09:00:00', 'America/Los_Angeles')).toBe(
      Date.parse('2026-12-24T17:00:00Z'),
    );
    expect(instantOf('2026-07-04T09:00:00', 'America/Los_Angeles')).toBe(
      Date.parse('2026-07-04T16:00:00Z'),
    );
    expect(instantOf('2026-03-29T12:00:00', 'Europe/Paris')).toBe(
      Date.parse('2026-03-29T10:00:00Z'),
    );
  });
});
