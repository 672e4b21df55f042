import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../functions/release/errors';
import { MAX_ITEMS, normalizeNumber, parseReleaseRequest } from '../../functions/release/request';

/** Runs `parseReleaseRequest` and returns what it threw (failing the test if it did not throw). */
function rejectionOf(input: unknown): InvalidRequestError {
  try {
    parseReleaseRequest(input);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('parseReleaseRequest accepted the input');
}

/** `count` distinct North American numbers. */
function distinctNumbers(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `1425555${String(index).padStart(4, '0')}`);
}

describe('normalizeNumber', () => {
  it.each([
    ['+1 (425) 555-1213', '14255551213'],
    ['425.555.1212', '14255551212'],
    ['4255551212', '14255551212'],
    ['(425) 555 1212', '14255551212'],
    ['14255551212', '14255551212'],
    ['+1-425-555-1212', '14255551212'],
    ['+44 20 7946 0958', '442079460958'],
    ['44207946095', '44207946095'],
    ['123456789012345', '123456789012345'],
    ['+65 6123 4567 89', '656123456789'],
  ])('normalises %j to %j', (input, expected) => {
    // Act
    const normalized = normalizeNumber(input);

    // Assess
    expect(normalized).toBe(expected);
  });

  it.each([
    ['9 digits', '425555121'],
    ['16 digits', '1234567890123456'],
    ['letters', '425-555-CALL'],
    ['double plus', '++14255551212'],
    ['plus inside', '1+4255551212'],
    ['empty', ''],
    ['only separators', '(--- ...)'],
    ['underscore', '425_555_1212'],
    ['a tab', '+\t1 425 555 1212'],
    ['a line break', '425555\n1212'],
    ['a no-break space', '425\u00a0555 1212'],
    ['a line separator', '425 555\u20281212'],
    ['a byte order mark', '\ufeff4255551212'],
    ['a zero-width space', '425\u200b5551212'],
    ['10 digits after an explicit country code (Singapore, not North America)', '+65 9123 4567'],
  ])('rejects %s (%j)', (_case, input) => {
    // Act
    const normalized = normalizeNumber(input);

    // Assess
    expect(normalized).toBeUndefined();
  });
});

describe('parseReleaseRequest', () => {
  describe('accepts', () => {
    it.each([
      [
        'numbers in every written form, normalised and merged',
        { numbers: ['+1 (425) 555-1213', '425.555.1212', '4255551212', '14255551212'] },
        {
          numbers: ['14255551213', '14255551212'],
          keywords: [],
          dryRun: false,
          skipConfigured: false,
        },
      ],
      [
        'international numbers of 11 to 15 digits',
        { numbers: ['+44 20 7946 0958', '44207946095', '123456789012345'] },
        {
          numbers: ['442079460958', '44207946095', '123456789012345'],
          keywords: [],
          dryRun: false,
          skipConfigured: false,
        },
      ],
      [
        'keywords as strings and as objects with a short code, confirmed',
        {
          keywords: ['VANILLA', { keyword: 'CHOCOLATE', shortCode: '67076' }],
          confirmKeywordRelease: true,
        },
        {
          numbers: [],
          keywords: [{ keyword: 'VANILLA' }, { keyword: 'CHOCOLATE', shortCode: '67076' }],
          dryRun: false,
          skipConfigured: false,
        },
      ],
      [
        'a keyword object without a short code',
        { keywords: [{ keyword: 'Mint_2' }], confirmKeywordRelease: true },
        { numbers: [], keywords: [{ keyword: 'Mint_2' }], dryRun: false, skipConfigured: false },
      ],
      [
        'the same keyword on different short codes, kept apart',
        {
          keywords: [
            { keyword: 'VANILLA', shortCode: '67076' },
            { keyword: 'VANILLA', shortCode: '99000' },
          ],
          confirmKeywordRelease: true,
        },
        {
          numbers: [],
          keywords: [
            { keyword: 'VANILLA', shortCode: '67076' },
            { keyword: 'VANILLA', shortCode: '99000' },
          ],
          dryRun: false,
          skipConfigured: false,
        },
      ],
      [
        'keywords without confirmation in a dry run',
        { keywords: ['VANILLA'], dryRun: true },
        { numbers: [], keywords: [{ keyword: 'VANILLA' }], dryRun: true, skipConfigured: false },
      ],
      [
        'a 64-character keyword',
        { keywords: ['K'.repeat(64)], confirmKeywordRelease: true },
        {
          numbers: [],
          keywords: [{ keyword: 'K'.repeat(64) }],
          dryRun: false,
          skipConfigured: false,
        },
      ],
      [
        'confirmation given with numbers only',
        { numbers: ['14255551212'], confirmKeywordRelease: true, dryRun: false },
        { numbers: ['14255551212'], keywords: [], dryRun: false, skipConfigured: false },
      ],
      [
        'numbers and keywords together, the example of the issue',
        {
          numbers: ['14255551212', '+1 (425) 555-1213'],
          keywords: ['VANILLA', { keyword: 'CHOCOLATE', shortCode: '67076' }],
          confirmKeywordRelease: true,
          dryRun: false,
        },
        {
          numbers: ['14255551212', '14255551213'],
          keywords: [{ keyword: 'VANILLA' }, { keyword: 'CHOCOLATE', shortCode: '67076' }],
          dryRun: false,
          skipConfigured: false,
        },
      ],
    ])('%s', (_case, input, expected) => {
      // Prepare
      const request = structuredClone(input);

      // Act
      const parsed = parseReleaseRequest(request);

      // Assess
      expect(parsed).toEqual(expected);
    });

    it.each([
      ['strings', ['vanilla', 'VANILLA', 'Vanilla']],
      [
        'objects on one short code',
        [
          { keyword: 'vanilla', shortCode: '67076' },
          { keyword: 'VANILLA', shortCode: '67076' },
        ],
      ],
    ])('keywords that differ only in case, once (%s)', (_case, keywords) => {
      // Prepare
      const request = { keywords: structuredClone(keywords), confirmKeywordRelease: true };

      // Act
      const parsed = parseReleaseRequest(request);

      // Assess
      expect(parsed.keywords).toHaveLength(1);
      expect(parsed.keywords[0]?.keyword.toUpperCase()).toBe('VANILLA');
    });

    it(`exactly ${MAX_ITEMS} items (numbers plus keywords)`, () => {
      // Prepare
      const keywords = Array.from({ length: 40 }, (_, index) => `KW${index}`);
      const request = { numbers: distinctNumbers(60), keywords, confirmKeywordRelease: true };

      // Act
      const parsed = parseReleaseRequest(request);

      // Assess
      expect(MAX_ITEMS).toBe(100);
      expect(parsed.numbers).toHaveLength(60);
      expect(parsed.keywords).toHaveLength(40);
    });
  });

  describe('rejects', () => {
    it.each([
      ['null', null, '', 'must be a JSON object'],
      ['a string', '{"numbers":["14255551212"]}', '', 'must be a JSON object'],
      ['a number', 42, '', 'must be a JSON object'],
      ['an array', [{ numbers: ['14255551212'] }], '', 'must be a JSON object'],
      [
        'an unknown top-level field (number)',
        { number: ['14255551212'] },
        'number',
        'unknown field',
      ],
      [
        'an unknown field next to valid ones',
        { numbers: ['14255551212'], dryrun: true },
        'dryrun',
        'allowed: numbers, keywords, confirmKeywordRelease, dryRun',
      ],
      [
        'an unknown keyword field',
        { keywords: [{ keyword: 'VANILLA', code: '67076' }], confirmKeywordRelease: true },
        'keywords[0].code',
        'unknown field; allowed: keyword, shortCode',
      ],
      ['numbers not an array', { numbers: '14255551212' }, 'numbers', 'must be an array'],
      [
        'keywords not an array',
        { keywords: 'VANILLA', confirmKeywordRelease: true },
        'keywords',
        'must be an array',
      ],
      ['a non-string number', { numbers: [14255551212] }, 'numbers[0]', 'must be a string'],
      ['a null number', { numbers: [null] }, 'numbers[0]', 'must be a string'],
      ['a number too short', { numbers: ['425555121'] }, 'numbers[0]', 'is not a phone number'],
      [
        'a number too long',
        { numbers: ['1234567890123456'] },
        'numbers[0]',
        'is not a phone number',
      ],
      [
        'a number with letters',
        { numbers: ['425-555-CALL'] },
        'numbers[0]',
        'is not a phone number',
      ],
      [
        'a number with a double plus',
        { numbers: ['++14255551212'] },
        'numbers[0]',
        'is not a phone number',
      ],
      [
        'the second number when only it is bad',
        { numbers: ['14255551212', '555'] },
        'numbers[1]',
        '"555" is not a phone number',
      ],
      [
        'a keyword with a space',
        { keywords: ['VAN ILLA'], confirmKeywordRelease: true },
        'keywords[0]',
        'is not a keyword',
      ],
      [
        'a keyword that is a CDATA section',
        { keywords: ['<![CDATA[<x/>]]>'], confirmKeywordRelease: true },
        'keywords[0]',
        'is not a keyword',
      ],
      [
        'a keyword with <',
        { keywords: ['VAN<ILLA'], confirmKeywordRelease: true },
        'keywords[0]',
        'is not a keyword',
      ],
      [
        'a keyword with a control character',
        { keywords: ['VAN\u0001ILLA'], confirmKeywordRelease: true },
        'keywords[0]',
        'is not a keyword',
      ],
      [
        'a keyword with a trailing newline',
        { keywords: ['VANILLA\n'], confirmKeywordRelease: true },
        'keywords[0]',
        'is not a keyword',
      ],
      [
        'a 65-character keyword',
        { keywords: ['K'.repeat(65)], confirmKeywordRelease: true },
        'keywords[0]',
        '1 to 64 letters, digits or underscores',
      ],
      [
        'an empty keyword',
        { keywords: [''], confirmKeywordRelease: true },
        'keywords[0]',
        'is not a keyword',
      ],
      [
        'a bad keyword inside an object',
        { keywords: [{ keyword: 'VAN-ILLA' }], confirmKeywordRelease: true },
        'keywords[0].keyword',
        'is not a keyword',
      ],
      [
        'a keyword object without keyword',
        { keywords: [{ shortCode: '67076' }], confirmKeywordRelease: true },
        'keywords[0].keyword',
        'is required',
      ],
      [
        'a keyword that is neither string nor object',
        { keywords: [42], confirmKeywordRelease: true },
        'keywords[0]',
        'must be a keyword string or',
      ],
      [
        'a short code with letters',
        { keywords: [{ keyword: 'VANILLA', shortCode: '67a76' }], confirmKeywordRelease: true },
        'keywords[0].shortCode',
        '3 to 15 digits',
      ],
      [
        'a short code too short',
        { keywords: [{ keyword: 'VANILLA', shortCode: '12' }], confirmKeywordRelease: true },
        'keywords[0].shortCode',
        '3 to 15 digits',
      ],
      [
        'a numeric short code',
        { keywords: [{ keyword: 'VANILLA', shortCode: 67076 }], confirmKeywordRelease: true },
        'keywords[0].shortCode',
        'must be a string',
      ],
      ['empty lists', { numbers: [], keywords: [] }, '', 'at least one item'],
      ['no lists', {}, '', 'at least one item'],
      ['only flags', { dryRun: true, confirmKeywordRelease: true }, '', 'at least one item'],
      [
        'keywords without confirmKeywordRelease',
        { keywords: ['VANILLA'] },
        'confirmKeywordRelease',
        'must be true to release keywords',
      ],
      [
        'keywords with confirmKeywordRelease false',
        { keywords: ['VANILLA'], confirmKeywordRelease: false, dryRun: false },
        'confirmKeywordRelease',
        'cannot be repurchased for one month',
      ],
      [
        'confirmKeywordRelease "yes"',
        { keywords: ['VANILLA'], confirmKeywordRelease: 'yes' },
        'confirmKeywordRelease',
        'must be true or false',
      ],
      [
        'a non-boolean dryRun',
        { numbers: ['14255551212'], dryRun: 'true' },
        'dryRun',
        'must be true or false',
      ],
    ])('%s', (_case, input, path, fragment) => {
      // Prepare
      const request = structuredClone(input);

      // Act
      const error = rejectionOf(request);

      // Assess
      expect(error.name).toBe('InvalidRequestError');
      expect(error.tooLarge).toBe(false);
      expect(error.issues).toContainEqual({ path, message: expect.stringContaining(fragment) });
      expect(error.message).toContain(fragment);
    });

    it('keywords with confirmKeywordRelease "yes": both the type and the missing confirmation', () => {
      // Act
      const error = rejectionOf({ keywords: ['VANILLA'], confirmKeywordRelease: 'yes' });

      // Assess
      expect(error.issues).toEqual([
        { path: 'confirmKeywordRelease', message: 'must be true or false' },
        {
          path: 'confirmKeywordRelease',
          message: expect.stringContaining('must be true to release keywords'),
        },
      ]);
    });

    it('lists every problem of the request, each at its path', () => {
      // Prepare
      const request = {
        numbers: ['14255551212', 'abc', 7],
        keywords: ['OK', 'NOT OK'],
        number: 'typo',
      };

      // Act
      const error = rejectionOf(request);

      // Assess
      expect(error.issues.map((issue) => issue.path)).toEqual([
        'number',
        'numbers[1]',
        'numbers[2]',
        'keywords[1]',
        'confirmKeywordRelease',
      ]);
    });

    it('echoes a control character in an invalid keyword only as "?"', () => {
      // Act
      const error = rejectionOf({ keywords: ['A\u0001B'], dryRun: true });

      // Assess
      expect(error.issues[0]?.message).toContain('"A?B"');
      expect(error.message).not.toContain('\u0001');
    });

    it.each([
      ['101 numbers', { numbers: distinctNumbers(101) }, 101],
      [
        '60 numbers and 41 keywords',
        {
          numbers: distinctNumbers(60),
          keywords: Array.from({ length: 41 }, (_, index) => `KW${index}`),
          confirmKeywordRelease: true,
        },
        101,
      ],
      [
        '101 copies of one number (counted as given)',
        { numbers: Array(101).fill('14255551212') },
        101,
      ],
      ['1000 invalid items', { numbers: Array(1000).fill('x') }, 1000],
    ])('%s as too large', (_case, input, count) => {
      // Prepare
      const request = structuredClone(input);

      // Act
      const error = rejectionOf(request);

      // Assess
      expect(error.name).toBe('InvalidRequestError');
      expect(error.tooLarge).toBe(true);
      expect(error.issues).toEqual([
        {
          path: '',
          message: `at most 100 items per request (numbers plus keywords); got ${count}`,
        },
      ]);
      expect(error.message).toContain('at most 100 items');
    });
  });

  describe('bounded error reports', () => {
    it('lists at most 20 problems, counts the rest, and clips what it echoes', () => {
      // Prepare: a 256 KB body of unknown keys, some of them long.
      const request: Record<string, number> = {};
      for (let index = 0; index < 34_000; index++) request[`k${index}`] = 1;
      request['x'.repeat(5_000)] = 1;

      // Act
      const error = rejectionOf(request);

      // Assess
      expect(error.issues).toHaveLength(20);
      // 34,001 unknown fields, and no item at all.
      expect(error.omitted).toBe(34_002 - 20);
      const { errors } = error.http.details as { errors: { path: string; message: string }[] };
      expect(errors).toHaveLength(21);
      expect(errors[20]).toEqual({ path: '', message: 'and 33982 more problems not listed' });
      expect(JSON.stringify(error.http).length).toBeLessThan(64 * 1024);
      expect(error.message.length).toBeLessThan(16 * 1024);
    });

    it('clips a long unknown field name in its path', () => {
      // Act
      const error = rejectionOf({ numbers: ['14255551212'], ['y'.repeat(10_000)]: true });

      // Assess
      expect(error.issues[0]?.path).toBe(`${'y'.repeat(40)}…`);
    });

    it('says a number holds an invisible character', () => {
      // Act
      const error = rejectionOf({ numbers: ['425\u00a0555 1212'] });

      // Assess
      expect(error.issues[0]).toEqual({
        path: 'numbers[0]',
        message: expect.stringContaining('invisible or non-ASCII character'),
      });
    });

    it('says a leading + means the country code is there', () => {
      // Act
      const error = rejectionOf({ numbers: ['+65 9123 4567'] });

      // Assess
      expect(error.issues[0]?.message).toContain('a leading + means the country code is there');
    });
  });
});
